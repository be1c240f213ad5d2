"""``check-docs PATH... [--report FILE]``: check Markdown on the Django installed here.

Prints one line per code block: works, broken (with the rule's code, the reason and the
fix) or not checkable (and why). Exits 0 when nothing is broken, 1 when a block is,
2 on bad usage or input it cannot read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from ..harness import processes
from ..report import build_report, write_report
from ..verdicts import Environment
from .page_check import BROKEN, SAID, Verdict

#: Exit statuses; STOPPED is the shell's for a run ended by a signal (128 + SIGINT).
NOTHING_BROKEN, SOMETHING_BROKEN, BAD_USAGE, STOPPED = 0, 1, 2, 130


class UsageError(Exception):
    """Input check-docs cannot work on; the message names it."""


def markdown_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".md", ".markdown"))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check-docs", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)
    try:
        metadata.version("django")
        files = markdown_files(args.paths)
    except metadata.PackageNotFoundError:
        return _usage(
            "Django is not installed beside check-docs; install the Django to check against"
        )
    except UsageError as exc:
        return _usage(str(exc))
    environment = Environment.installed()
    processes.stop_on_signals()
    try:
        results = _check(files)
    except KeyboardInterrupt as exc:
        print(f"check-docs: {exc or 'stopped'}; nothing was reported", file=sys.stderr)
        return STOPPED
    if args.report:
        write_report(args.report, build_report(environment, results, fixes=True))
    broken = sum(v.status == BROKEN for v in results)
    print(f"Django {environment.django}: {len(results)} blocks, {broken} broken")
    return SOMETHING_BROKEN if broken else NOTHING_BROKEN


def _check(files: list[Path]) -> list[Verdict]:
    # Imported here: page checks need Django, which main() made sure of.
    from ..harness.project import ProjectFactory
    from .page_check import check_page

    results: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="check-docs-") as workdir:
        factory = ProjectFactory(Path(workdir))
        for index, path in enumerate(files):
            for verdict in check_page(path, path.read_text(), factory, f"page{index}"):
                results.append(verdict)
                detail = f": {verdict.reason}" if verdict.reason else ""
                fix = f"\n    fix: {verdict.fix}" if verdict.fix else ""
                print(f"{verdict.block.location}: {SAID[verdict.status]}{detail}{fix}")
    return results


def _usage(message: str) -> int:
    print(f"check-docs: {message}", file=sys.stderr)
    return BAD_USAGE


if __name__ == "__main__":
    sys.exit(main())
