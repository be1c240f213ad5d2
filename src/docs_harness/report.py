"""The JSON report: written by a run of one Django line, read by the site and the
publisher; the summary line and failure messages.

Each ``build/examples-report/django-<X.Y>.json`` says, for every block of every page,
its status on that line. check-docs writes the same format. A block's result is only
used while the page still holds the same block text (its ``digest``), so an old report
never badges new code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .records import now
from .verdicts import BlockVerdict, Environment, Status
from .versions import format_line, parse_line


def report_path(report_dir: Path, environment: Environment) -> Path:
    return report_dir / f"django-{format_line(environment.line)}.json"


class ReportedBlock(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def line(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def digest(self) -> str: ...


class Reported(Protocol):
    """A verdict on one block: the harness's ``BlockVerdict`` or check-docs' ``Verdict``."""

    @property
    def block(self) -> ReportedBlock: ...
    @property
    def status(self) -> Status: ...
    @property
    def reason(self) -> str: ...
    @property
    def checks(self) -> Sequence[str]: ...
    @property
    def fix(self) -> str: ...


def build_report(
    environment: Environment, verdicts: Iterable[Reported], *, fixes: bool = False
) -> dict[str, Any]:
    """The report for one line. ``fixes``: add each verdict's fix (check-docs does)."""
    return {
        "django": environment.django,
        "whitenoise": environment.whitenoise,
        "python": environment.python,
        "finished": now(),
        "blocks": [_block_entry(verdict, fixes) for verdict in verdicts],
    }


def _block_entry(verdict: Reported, fixes: bool) -> dict[str, Any]:
    entry = {
        "file": verdict.block.path.as_posix(),
        "line": verdict.block.line,
        "language": verdict.block.language,
        "digest": verdict.block.digest,
        "status": str(verdict.status),
        "reason": verdict.reason,
        "checks": list(verdict.checks),
    }
    if fixes:
        entry["fix"] = verdict.fix
    if reused := getattr(verdict, "reused", None):
        entry["reused"] = {"key": reused.key, "finished": reused.finished}
    return entry


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def summary_lines(environment: Environment, verdicts: list[BlockVerdict]) -> list[str]:
    """The counts on one line, then each skipped block and its reason on a line of its own."""

    def count(status: Status) -> list[BlockVerdict]:
        return [v for v in verdicts if v.status == status]

    skipped = count(Status.SKIPPED)
    executed = len(verdicts) - len(skipped) - len(count(Status.NOT_APPLICABLE))
    reused = [v.reused.finished for v in verdicts if v.reused]
    counts = (
        f"Django {environment.django}: {executed} executed, {len(skipped)} skipped, "
        f"{len(count(Status.NOT_APPLICABLE))} not applicable, {len(count(Status.FAILED))} failed"
    )
    if reused:
        counts += f" ({len(reused)} reused from runs of {min(reused)[:16]} to {max(reused)[:16]})"
    return [counts, *(f"  skipped {v.block.location}: {v.reason}" for v in skipped)]


def failure_message(verdict: BlockVerdict, environment: Environment) -> str:
    parts = [f"{verdict.block.location} failed on {environment.describe()}"]
    for failure in verdict.failures:
        parts.append(
            f"\ncheck:    {failure.check}\nexpected: {failure.expected}\ngot:      {failure.got}"
        )
        if failure.hint:
            parts.append(f"fix:      {failure.hint}")
    last = verdict.failures[-1] if verdict.failures else None
    if last and last.settings_diff:
        parts.append(
            f"\nsettings.py compared with what startproject made:\n{last.settings_diff.rstrip()}"
        )
    if last and last.server_output:
        parts.append(f"\nlast lines of the server's output:\n{last.server_output.rstrip()}")
    return "\n".join(parts)


# --- reading reports (the site, the publisher) ------------------------------------


@dataclass(frozen=True)
class LineReport:
    """What one run of the harness on one Django line found."""

    line: str
    django: str
    python: str
    whitenoise: str
    finished: str
    path: Path
    blocks: dict[tuple[str, int], dict[str, Any]] = field(repr=False)

    @property
    def run_date(self) -> str:
        return self.finished[:10] or "unknown"

    def run_date_of(self, entry: dict[str, Any]) -> str:
        """The date of the run that produced this entry: an earlier one if it was reused."""
        reused = entry.get("reused") or {}
        return str(reused.get("finished") or self.finished)[:10] or "unknown"

    def result(self, file: str, line: int, digest: str) -> dict[str, Any] | None:
        """The block's entry, or None when the report has no entry for this exact text."""
        entry = self.blocks.get((file, line))
        if entry is None or entry.get("digest") != digest:
            return None
        return entry

    def count(self, status: Status) -> int:
        return sum(entry["status"] == status for entry in self.blocks.values())

    def pages(self) -> tuple[int, int]:
        """(pages with no failed block, pages in the report)."""
        files = {file for file, _ in self.blocks}
        failed = {
            file for (file, _), entry in self.blocks.items() if entry["status"] == Status.FAILED
        }
        return len(files - failed), len(files)


class ReportError(ValueError):
    """A report file that cannot be read; the message names the file."""


def load_reports(report_dir: Path) -> dict[str, LineReport]:
    """Every ``django-<X.Y>.json`` in ``report_dir``, by line, oldest line first."""
    reports = {}
    for path in sorted(report_dir.glob("django-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            line = ".".join(data["django"].split(".")[:2])
            blocks = {(b["file"], b["line"]): b for b in data["blocks"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReportError(f"{path}: not a harness report ({exc!r})") from exc
        reports[line] = LineReport(
            line=line,
            django=data["django"],
            python=data.get("python", "?"),
            whitenoise=data.get("whitenoise", "?"),
            finished=data.get("finished", ""),
            path=path,
            blocks=blocks,
        )
    return dict(sorted(reports.items(), key=lambda item: parse_line(item[0])))
