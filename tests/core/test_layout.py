"""The package's layers hold: the core needs neither Django nor pytest, nothing edits
sys.path, and the product never imports the tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ("versions", "fences", "verdicts", "report", "rules")
PRODUCT = [ROOT / "src", ROOT / "hooks", ROOT / "tools"]


def _python_files(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*.py")]


def test_the_core_and_the_site_import_neither_django_nor_pytest():
    modules = [f"docs_harness.{name}" for name in CORE] + ["docs_harness.site.build"]
    code = (
        f"import sys\nfor name in {modules!r}: __import__(name)\n"
        "print(sorted(m for m in ('django', 'pytest', 'pytest_examples') if m in sys.modules))"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == "[]"


def test_nothing_edits_sys_path_or_waives_import_order():
    files = [*_python_files(*PRODUCT, ROOT / "tests"), ROOT / "noxfile.py"]
    this = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if path.resolve() != this
        and re.search(r"sys\.path\.(insert|append)|noqa: E402", path.read_text())
    ]
    assert offenders == []


def test_the_product_never_imports_the_tests():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files(*PRODUCT)
        if re.search(r"^\s*(from|import)\s+tests\b", path.read_text(), re.M)
    ]
    assert offenders == []
