"""One build of the site: which Django line it is for, the reports it badges from, and
each page's Markdown for that line.

Environment:

- ``DOCS_DJANGO_LINE``: the Django line this version of the site is for, e.g. ``4.1``.
  Unset, the version ``mike deploy`` is building is used when it names a line
  (``mike deploy 4.1``); otherwise every block is shown (``mkdocs serve`` while editing).
- ``DOCS_DJANGO_LINES``: every line the site should have a report for (the sessions in
  ``noxfile.py`` set it from the matrix); a missing report is said on the
  Compatibility page and in the build log.
- ``DOCS_REPORTS``: where the reports are (default ``build/examples-report`` beside
  ``mkdocs.yml``).

No report, no badge: results are never guessed. In a version built for one line, a
failed block, or a report older than the page, is a warning, so ``mkdocs build
--strict`` refuses to publish it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from ..fences import parse_blocks
from ..records import load_records
from ..report import load_reports
from .compatibility import MATRIX_MARKER, compatibility_table
from .record_pages import page_title, record_uri, render_records
from .versioned_markdown import COMPATIBILITY_PAGE, SiteVersion, render_page

log = logging.getLogger("mkdocs.hooks.site")


class SiteBuild:
    """State one MkDocs build keeps between its config and its pages."""

    def __init__(self) -> None:
        self.version = SiteVersion(None, {})
        self.expected: list[str] = []
        self.root = Path.cwd()

    def configure(
        self, config: MutableMapping[str, Any], environ: Mapping[str, str] = os.environ
    ) -> None:
        self.root = Path(config["config_file_path"]).resolve().parent
        default_reports = self.root / "build" / "examples-report"
        report_dir = Path(environ.get("DOCS_REPORTS", default_reports))
        reports = load_reports(report_dir) if report_dir.is_dir() else {}
        line = environ.get("DOCS_DJANGO_LINE") or _mike_line(environ.get("MIKE_DOCS_VERSION"))
        self.expected = environ.get("DOCS_DJANGO_LINES", "").split() or list(reports)
        if outside := [known for known in reports if known not in self.expected]:
            log.info(f"Ignoring reports for Django {', '.join(outside)}: not in the matrix")
            reports = {known: report for known, report in reports.items() if known in self.expected}
        records = load_records(report_dir, line) if line else None
        self.version = SiteVersion(line, reports, records)
        if line is not None and records is None:
            log.warning(
                f"No run records for Django {line} in {report_dir}: badges cannot link "
                f'to them. Run nox -s "test-examples({line})" to make them.'
            )
        if missing := [known for known in self.expected if known not in reports]:
            log.info(
                f"No harness report for Django {', '.join(missing)} in {report_dir}: "
                "blocks get no badge for those lines. Run nox -s test-examples to make them."
            )
        if line is not None:
            log.info(f"Building the version of the site for Django {line}")
            config["extra"]["django_line"] = line

    def record_pages(self, sources: dict[str, str], docs_dir: str) -> dict[str, str]:
        """``records/<page>.md`` for each page with blocks that have a run record, by
        src_uri; ``sources`` holds each page's whole file by its src_uri."""
        records = self.version.records
        if records is None:
            return {}
        pages = {}
        for src_uri, source in sources.items():
            file = self._file(src_uri, docs_dir).as_posix()
            blocks = parse_blocks(Path(file), source)
            page = render_records(src_uri, file, page_title(source, src_uri), blocks, records)
            if page is not None:
                pages[record_uri(src_uri)] = page
        log.info(f"Run records of Django {records.line}: {len(pages)} pages, from {records.path}")
        return pages

    def _file(self, src_uri: str, docs_dir: str) -> Path:
        """The page as reports name it: ``docs/...`` from the repository's root."""
        docs = Path(docs_dir).resolve()
        return (docs.relative_to(self.root) if docs.is_relative_to(self.root) else docs) / src_uri

    def page_markdown(self, markdown: str, src_uri: str, source: str, docs_dir: str) -> str:
        """``source`` is the whole file; MkDocs has cut its front matter off ``markdown``."""
        file = self._file(src_uri, docs_dir)
        # Reports count lines from the top of the file.
        skipped = source[: len(source) - len(markdown)].count("\n")
        if not source.endswith(markdown):
            log.warning(f"{file}: cannot line up the page with its file; badges would be wrong")
            skipped = 0
        rendered = render_page("\n" * skipped + markdown, file.as_posix(), src_uri, self.version)
        for problem in rendered.problems:
            (log.warning if self.version.line else log.info)(problem)
        if rendered.notes:
            log.info(f"{file}: {len(rendered.notes)} blocks have no result yet, so no badge")
        markdown = rendered.markdown[skipped:]
        if src_uri == COMPATIBILITY_PAGE:
            table = compatibility_table(self.expected, self.version.reports)
            return markdown.replace(MATRIX_MARKER, table)
        return markdown


def _mike_line(version: str | None) -> str | None:
    return version if version and re.fullmatch(r"\d+\.\d+", version) else None
