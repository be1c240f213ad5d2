"""The whole harness, run as maintainers run it, on a page with a mistake in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from docs_harness.verdicts import Environment
from docs_harness.versions import format_line

from .test_catches_mistakes import MISTAKES, fence_line

ROOT = Path(__file__).resolve().parents[2]


def run_harness(docs: Path, reports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on ``docs``, its stored results beside the reports unless ``args`` say where."""
    if "--results-dir" not in args:
        args = (*args, "--results-dir", str(reports.parent / "results"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "tests" / "docs" / "test_docs.py"),
         "--docs-dir", str(docs), "--report-dir", str(reports), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_broken_page_fails_the_run_with_file_line_version_check_diff_and_server_output(tmp_path):
    mistake = next(m for m in MISTAKES if m.id == "whitenoise-above-security-middleware")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "broken.md").write_text(mistake.broken)
    line = fence_line(mistake.broken, mistake.in_block)

    result = run_harness(docs, tmp_path / "reports")

    environment = Environment.installed()
    output = result.stdout
    assert result.returncode == 1, output
    assert f"broken.md:{line} failed on Django {environment.django}" in output
    assert "check:    whitenoise-after-security-middleware" in output
    assert "expected: WhiteNoiseMiddleware directly after SecurityMiddleware" in output
    assert "got:      WN103 WhiteNoise sits above SecurityMiddleware" in output
    assert "settings.py compared with what startproject made:" in output
    assert "+    'whitenoise.middleware.WhiteNoiseMiddleware'," in output
    assert "last lines of the server's output:" in output and "gunicorn" in output.lower()
    assert ", 1 failed" in output

    report = json.loads(
        (tmp_path / "reports" / f"django-{format_line(environment.line)}.json").read_text()
    )
    assert report["django"] == environment.django
    by_line = {b["line"]: b for b in report["blocks"]}
    assert by_line[line]["status"] == "failed"
    assert by_line[line]["reason"].startswith("whitenoise-after-security-middleware: WN103 ")
    assert "whitenoise-after-security-middleware" in by_line[line]["checks"]


def test_an_unknown_fence_option_fails_naming_file_and_line(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "typo.md").write_text('# Typo\n\n```bash djnago="4.2+"\npython manage.py check\n```\n')

    result = run_harness(docs, tmp_path / "reports")

    assert result.returncode == 1
    assert "typo.md:3 failed" in result.stdout
    assert "unknown fence option 'djnago'" in result.stdout
