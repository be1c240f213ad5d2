"""``check-docs PATH... [--format text|json|github] [--report FILE] [--no-sandbox]``:
check Markdown on the Django installed here.

Says of each code block: works, broken (with the rule's code, the reason and the fix) or
not checkable (and what it is). Exits 0 when nothing is broken, 1 when a block is, 2 on
bad usage or a file it cannot read. A document's code runs in a sandbox (see
``sandbox``); without one, only ``--no-sandbox`` lets it run, as the user.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from ..harness import processes
from ..report import write_report
from ..verdicts import Environment
from . import sandbox
from .document import Unreadable, read_document
from .output import FORMATS, Output

#: Exit statuses; STOPPED is the shell's for a run ended by a signal (128 + SIGINT).
NOTHING_BROKEN, SOMETHING_BROKEN, BAD_USAGE, STOPPED = 0, 1, 2, 130
MARKDOWN = (".md", ".markdown")


class UsageError(Exception):
    """Input check-docs cannot work on; the message names it."""


def markdown_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in MARKDOWN and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check-docs", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text",
                        help="text (default), json (the report on stdout), github (annotations)")  # fmt: skip
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the documents' code as you, where no sandbox can be made")  # fmt: skip
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
    output = FORMATS[args.format](Environment.installed())
    processes.stop_on_signals()
    try:
        with tempfile.TemporaryDirectory(prefix="check-docs-") as workdir:
            confine = _sandbox(Path(workdir), args.no_sandbox)
            if confine is not None or args.no_sandbox:
                _check(files, Path(workdir), confine, output)
            processes.check_not_stopped()  # a signal whose own interrupt was swallowed
    except KeyboardInterrupt as exc:
        print(f"check-docs: {exc or 'stopped'}; nothing was reported", file=sys.stderr)
        return STOPPED
    except sandbox.Unavailable as exc:
        return _usage(
            f"{exc}, and check-docs runs a document's code only in a sandbox. Install "
            "bubblewrap (Debian and Ubuntu: apt-get install bubblewrap), or pass "
            "--no-sandbox to run it as you, with your files and network"
        )
    output.finish()
    if args.report:
        write_report(args.report, output.report())
    if output.errors:
        return BAD_USAGE
    return SOMETHING_BROKEN if output.broken else NOTHING_BROKEN


def _sandbox(workdir: Path, no_sandbox: bool) -> sandbox.Sandbox | None:
    if no_sandbox:
        print(
            "check-docs: --no-sandbox: the documents' code runs as you, "
            "with your files and network",
            file=sys.stderr,
        )
        return None
    return sandbox.make(workdir)


def _check(
    files: list[Path], workdir: Path, confine: sandbox.Sandbox | None, output: Output
) -> None:
    # Imported here: page checks need Django, which main() made sure of.
    from ..harness.project import ProjectFactory
    from .page_check import check_page

    factory = ProjectFactory(workdir / "projects", confine)
    for index, path in enumerate(files):
        try:
            verdicts = check_page(path, read_document(path), factory, f"page{index}")
        except Unreadable as exc:
            output.error(path, str(exc))
            continue
        except Exception as exc:  # a bug here must not hide the other files' verdicts
            output.error(path, f"could not be checked ({type(exc).__name__}: {exc})")
            continue
        for verdict in verdicts:
            output.verdict(verdict)


def _usage(message: str) -> int:
    print(f"check-docs: {message}", file=sys.stderr)
    return BAD_USAGE


if __name__ == "__main__":
    sys.exit(main())
