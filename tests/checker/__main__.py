"""``python -m tests.checker PATH... [--report FILE]``: check Markdown on the installed Django.

Prints one line per code block: works, broken (with the reason and the fix) or not
checkable (and why). Exits 1 when a block is broken.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import django

from tests.harness.project import ProjectFactory

from .page_check import BROKEN, NOT_CHECKABLE, WORKS, check_page

ROOT = Path(__file__).resolve().parents[2]


def markdown_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".md", ".markdown"))
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"{path}: no such file or folder")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check-docs", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)
    files = markdown_files(args.paths)
    results = []
    with tempfile.TemporaryDirectory(prefix="check-docs-") as workdir:
        factory = ProjectFactory(Path(workdir), ROOT / "examples")
        for index, path in enumerate(files):
            for verdict in check_page(path, path.read_text(), factory, f"page{index}"):
                results.append(verdict)
                block = verdict.block
                detail = f": {verdict.reason}" if verdict.reason else ""
                fix = f"\n    fix: {verdict.fix}" if verdict.fix else ""
                print(f"{block.location}: {verdict.status}{detail}{fix}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(_report(results), indent=2) + "\n")
    broken = sum(v.status == BROKEN for v in results)
    print(f"Django {django.get_version()}: {len(results)} blocks, {broken} broken")
    return 1 if broken else 0


#: The checker's verdicts in the harness report's words (see CONTRIBUTING.md).
REPORT_STATUS = {WORKS: "passed", BROKEN: "failed", NOT_CHECKABLE: "skipped"}


def _report(results) -> dict:
    """The harness's report format; ``fix`` is added for broken blocks."""
    return {
        "django": django.get_version(),
        "whitenoise": _version("whitenoise"),
        "python": platform.python_version(),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "blocks": [
            {"file": v.block.path.as_posix(), "line": v.block.line,
             "language": v.block.language, "status": REPORT_STATUS[v.status],
             "reason": v.reason, "fix": v.fix, "checks": list(v.codes)}
            for v in results
        ],
    }  # fmt: skip


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())
