"""MkDocs hook: build the site for one Django line, with badges from the harness reports.

Environment:

- ``DOCS_DJANGO_LINE``: the Django line this version of the site is for, e.g. ``4.1``.
  Unset, the version ``mike deploy`` is building is used when it names a line
  (``mike deploy 4.1``); otherwise every block is shown (``mkdocs serve`` while editing).
- ``DOCS_DJANGO_LINES``: every line the site should have a report for (the sessions in
  ``noxfile.py`` set it from the matrix); a missing report is said on the
  Compatibility page and in the build log.
- ``DOCS_REPORTS``: where the reports are (default ``build/examples-report``).

No report, no badge: results are never guessed. In a version built for one line, a
failed block, or a report older than the page, is a warning, so ``mkdocs build
--strict`` refuses to publish it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hooks.site_reports import load_reports  # noqa: E402
from hooks.versioned_markdown import COMPATIBILITY_PAGE, SiteVersion, render_page  # noqa: E402
from tests.harness.verdicts import FAILED, NOT_APPLICABLE, PASSED, SKIPPED  # noqa: E402
from tests.harness.versions import parse_line  # noqa: E402

log = logging.getLogger("mkdocs.hooks.django_lines")
MATRIX_MARKER = "<!-- compatibility-matrix -->"
_version = SiteVersion(None, {})
_expected: list[str] = []


def on_config(config, **kwargs):
    global _version, _expected
    report_dir = Path(os.environ.get("DOCS_REPORTS", ROOT / "build" / "examples-report"))
    reports = load_reports(report_dir) if report_dir.is_dir() else {}
    line = os.environ.get("DOCS_DJANGO_LINE") or _mike_line(os.environ.get("MIKE_DOCS_VERSION"))
    _expected = os.environ.get("DOCS_DJANGO_LINES", "").split() or list(reports)
    if outside := [known for known in reports if known not in _expected]:
        log.info(f"Ignoring reports for Django {', '.join(outside)}: not in the matrix")
        reports = {known: report for known, report in reports.items() if known in _expected}
    _version = SiteVersion(line, reports)
    missing = [known for known in _expected if known not in reports]
    if missing:
        log.info(
            f"No harness report for Django {', '.join(missing)} in {report_dir}: "
            "blocks get no badge for those lines. Run nox -s test-examples to make them."
        )
    if line is not None:
        log.info(f"Building the version of the site for Django {line}")
        extra = config.setdefault("extra", {})
        extra["django_line"] = line
    return config


def on_page_markdown(markdown, page, config, **kwargs):
    docs = Path(config["docs_dir"]).resolve()
    file = (docs.relative_to(ROOT) if docs.is_relative_to(ROOT) else docs) / page.file.src_uri
    # Reports count lines from the top of the file; MkDocs has cut the front matter off.
    source = page.file.content_string
    skipped = source[: len(source) - len(markdown)].count("\n")
    if not source.endswith(markdown):
        log.warning(f"{file}: cannot line up the page with its file; badges would be wrong")
        skipped = 0
    rendered = render_page("\n" * skipped + markdown, file.as_posix(), page.file.src_uri, _version)
    for problem in rendered.problems:
        (log.warning if _version.line else log.info)(problem)
    if rendered.notes:
        log.info(f"{file}: {len(rendered.notes)} blocks have no result yet, so no badge")
    markdown = rendered.markdown[skipped:]
    if page.file.src_uri == COMPATIBILITY_PAGE:
        return markdown.replace(MATRIX_MARKER, compatibility_table())
    return markdown


def _mike_line(version: str | None) -> str | None:
    return version if version and re.fullmatch(r"\d+\.\d+", version) else None


def compatibility_table() -> str:
    rows = [
        "| Django | Python | WhiteNoise | Pages passed | Blocks passed | Skipped "
        "| Not for this line | Failed | Run (UTC) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for line in sorted(set(_expected) | set(_version.reports), key=parse_line):
        report = _version.reports.get(line)
        if report is None:
            rows.append(f"| {line} | no report | | | | | | | |")
            continue
        passed_pages, pages = report.pages()
        rows.append(
            f"| {report.django} | {report.python} | {report.whitenoise} "
            f"| {passed_pages} of {pages} | {report.count(PASSED)} | {report.count(SKIPPED)} "
            f"| {report.count(NOT_APPLICABLE)} | {report.count(FAILED)} | {report.run_date} |"
        )
    return "\n".join(rows)
