"""The harness reports a site build reads: one JSON file per Django line.

Each ``build/examples-report/django-<X.Y>.json`` says, for every block of every page,
whether it passed on that line. A block's result is only used while the page still
holds the same block text (its ``digest``), so an old report never badges new code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness.verdicts import FAILED
from tests.harness.versions import parse_line


@dataclass(frozen=True)
class LineReport:
    """What one run of the harness on one Django line found."""

    line: str
    django: str
    python: str
    whitenoise: str
    finished: str
    path: Path
    blocks: dict[tuple[str, int], dict] = field(repr=False)

    @property
    def run_date(self) -> str:
        return self.finished[:10] or "unknown"

    def result(self, file: str, line: int, digest: str) -> dict | None:
        """The block's entry, or None when the report has no entry for this exact text."""
        entry = self.blocks.get((file, line))
        if entry is None or entry.get("digest") != digest:
            return None
        return entry

    def count(self, status: str) -> int:
        return sum(entry["status"] == status for entry in self.blocks.values())

    def pages(self) -> tuple[int, int]:
        """(pages with no failed block, pages in the report)."""
        files = {file for file, _ in self.blocks}
        failed = {file for (file, _), entry in self.blocks.items() if entry["status"] == FAILED}
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
