"""The Compatibility page's matrix: one row per Django line, from that line's report."""

from __future__ import annotations

from ..report import LineReport
from ..verdicts import Status
from ..versions import parse_line

MATRIX_MARKER = "<!-- compatibility-matrix -->"


def compatibility_table(expected: list[str], reports: dict[str, LineReport]) -> str:
    rows = [
        "| Django | Python | WhiteNoise | Pages passed | Blocks passed | Skipped "
        "| Not for this line | Failed | Run (UTC) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for line in sorted(set(expected) | set(reports), key=parse_line):
        report = reports.get(line)
        if report is None:
            rows.append(f"| {line} | no report | | | | | | | |")
            continue
        passed_pages, pages = report.pages()
        count = report.count
        rows.append(
            f"| {report.django} | {report.python} | {report.whitenoise} "
            f"| {passed_pages} of {pages} | {count(Status.PASSED)} | {count(Status.SKIPPED)} "
            f"| {count(Status.NOT_APPLICABLE)} | {count(Status.FAILED)} | {report.run_date} |"
        )
    return "\n".join(rows)
