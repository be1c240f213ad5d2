"""One page's Markdown as one version of the site shows it.

A version is one Django line. In it, a block the harness did not pass on that line is
replaced by a short line saying which Django lines it is for; a content tab for other
lines keeps its label (so linked tabs still line up) but its body becomes that line;
the tab for the version's line comes first. In every build, a block that passed
somewhere gets a badge naming the lines it passed on, taken from the reports; a block
with no result gets no badge.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..fences import TAB_LINE, Block, parse_blocks
from ..records import LineRecords
from ..report import LineReport
from ..verdicts import Status
from ..versions import RangeError, parse_line, range_from_tab_label
from .record_pages import record_link

COMPATIBILITY_PAGE = "compatibility.md"


@dataclass(frozen=True)
class SiteVersion:
    """What a build shows: one Django line (``None`` for all of them) and the reports."""

    line: str | None
    reports: dict[str, LineReport]
    #: The run records of ``line``'s run, if it left any
    records: LineRecords | None = None


@dataclass
class RenderedPage:
    markdown: str
    #: Wrong for a published version: a failed block, a report older than the page.
    problems: list[str] = field(default_factory=list)
    #: Worth knowing while editing: blocks that have no result yet.
    notes: list[str] = field(default_factory=list)
    #: Blocks left out of this version, and blocks kept that passed on its line.
    hidden: list[Block] = field(default_factory=list)
    passing: int = 0


def render_page(markdown: str, file: str, src_uri: str, version: SiteVersion) -> RenderedPage:
    """``file`` is the page as reports name it (``docs/...``); ``src_uri`` as MkDocs does."""
    page = RenderedPage(markdown)
    link = posixpath.relpath(COMPATIBILITY_PAGE, posixpath.dirname(src_uri) or ".")
    lines = markdown.split("\n")
    blocks = parse_blocks(Path(file), markdown)
    for block in reversed(blocks):
        start, end = block.line - 1, min(block.end, len(lines))
        shown = _block_as_shown(block, lines[start:end], file, src_uri, link, version, page)
        if page.hidden and page.hidden[-1] is block:
            end = _end_of_annotations(block, lines, end)
        lines[start:end] = shown
    if version.line is not None:
        lines = _tabs_for_line(lines, version.line)
        if page.hidden and not page.passing:
            lines = _with_page_note(lines, page.hidden, version.line)
    page.markdown = "\n".join(lines)
    return page


def _block_as_shown(
    block: Block,
    fence: list[str],
    file: str,
    src_uri: str,
    link: str,
    version: SiteVersion,
    page: RenderedPage,
) -> list[str]:
    indent = " " * block.indent
    results = {
        line: report.result(file, block.line, block.digest)
        for line, report in version.reports.items()
    }
    if not any(results.values()):
        page.notes.append(f"{block.location}: no report has a result for this block yet")
    if version.line is not None:
        if not _shown_in(block, results, version, page):
            page.hidden.append(block)
            note = f"_An example for {block.django} is not shown for Django {version.line}._"
            return ["", indent + note, ""]
        entry = results.get(version.line)
        page.passing += bool(entry and entry["status"] == Status.PASSED)
        link = _record_link(block, file, src_uri, entry, version, page) or link
    badge = _badge(results, version.reports, link)
    return ["", indent + badge, "", *fence] if badge else fence


def _record_link(
    block: Block,
    file: str,
    src_uri: str,
    entry: dict | None,
    version: SiteVersion,
    page: RenderedPage,
) -> str | None:
    """In a version for one line, a passed block's badge opens its run record there."""
    if not entry or entry["status"] != Status.PASSED:
        return None
    if version.records and version.records.record(file, block.line, block.digest):
        return record_link(src_uri, block)
    page.problems.append(
        f"{block.location} passed on Django {version.line} but has no run record "
        f"for this block as the page now stands; run the examples on Django {version.line} again"
    )
    return None


def _end_of_annotations(block: Block, lines: list[str], end: int) -> int:
    """Past the numbered list of code annotations that follows a block, if it has one."""
    if not re.search(r"\(1\)!", block.source):
        return end
    index = end
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines) or not re.match(rf"^ {{{block.indent}}}1\.\s", lines[index]):
        return end
    while index < len(lines) and (
        not lines[index].strip()
        or re.match(rf"^ {{{block.indent}}}(?:\d+\.\s| {{2,}})", lines[index])
    ):
        index += 1
    return index


def _shown_in(block: Block, results: dict, version: SiteVersion, page: RenderedPage) -> bool:
    line = version.line
    assert line is not None  # only a version for one line hides blocks
    report, entry = version.reports.get(line), results.get(line)
    if report is None:
        return block.django.contains(parse_line(line))
    if entry is None:
        page.problems.append(
            f"{block.location}: {report.path} has no result for this block as the page "
            f"now stands; run the examples on Django {line} again"
        )
        return block.django.contains(parse_line(line))
    if entry["status"] == Status.FAILED:
        page.problems.append(f"{block.location} failed on Django {line}: {entry['reason']}")
    return entry["status"] in (Status.PASSED, Status.SKIPPED)


def _badge(results: dict[str, dict | None], reports: dict[str, LineReport], link: str) -> str:
    passed = [line for line, entry in results.items() if entry and entry["status"] == Status.PASSED]
    if passed:
        versions = ", ".join(reports[line].django for line in passed)
        dates = sorted({reports[line].run_date_of(results[line] or {}) for line in passed})
        title = f"Passed on Django {versions} (run {' to '.join(dates[:1] + dates[1:][-1:])})"
        return f'[✓ Django {_runs(passed, list(reports))}]({link} "{title}"){{ .block-badge }}'
    skipped = [entry for entry in results.values() if entry and entry["status"] == Status.SKIPPED]
    if skipped:
        reason = skipped[0]["reason"].replace("]", ")").replace("[", "(")
        return f"[Not run: {reason}]({link}){{ .block-badge .block-badge--not-run }}"
    return ""


def _runs(passed: list[str], every: list[str]) -> str:
    """``["3.2", "4.0", "4.2"]`` of ``["3.2", "4.0", "4.1", "4.2"]`` -> ``3.2–4.0, 4.2``."""
    runs: list[list[str]] = []
    for line in passed:
        if runs and every.index(line) == every.index(runs[-1][-1]) + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


@dataclass
class _Tab:
    label: str
    flag: str  # "!" starts a new group, "+" selects the tab
    indent: int
    start: int  # index of the === line
    end: int  # index past its body


def _tabs_for_line(lines: list[str], line: str) -> list[str]:
    """Put the tab for ``line`` first in each tab group; empty the tabs for other lines.

    Nested groups are done first, deepest first, so each pass sees settled line numbers.
    """
    levels = sorted({tab.indent for group in _tab_groups(lines) for tab in group}, reverse=True)
    for level in levels:
        groups = [group for group in _tab_groups(lines) if group[0].indent == level]
        for group in reversed(groups):
            lines[group[0].start : group[-1].end] = _group_for_line(lines, group, line)
    return lines


def _group_for_line(lines: list[str], group: list[_Tab], line: str) -> list[str]:
    tabs = []
    for tab in group:
        try:
            applies = range_from_tab_label(tab.label)
        except RangeError:
            applies = None  # the harness fails such a page; show the tab unchanged
        fits = applies is None or applies.contains(parse_line(line))
        body = lines[tab.start + 1 : tab.end]
        if not fits:
            pad = " " * (tab.indent + 4)
            body = ["", pad + f"_This tab is for {applies}. This version of the guide is for "
                    f"Django {line}; pick another version in the header to see it._"]  # fmt: skip
        while body and not body[-1].strip():
            body.pop()
        tabs.append((not fits, tab, body))
    tabs.sort(key=lambda item: item[0])
    ordered = []
    for position, (_, tab, body) in enumerate(tabs):
        # The group's first tab keeps "!" if the group had it; "+" would open another line.
        flag = group[0].flag if position == 0 and group[0].flag == "!" else ""
        ordered += [f'{" " * tab.indent}==={flag} "{tab.label}"', *body, ""]
    return ordered


def _tab_groups(lines: list[str]) -> list[list[_Tab]]:
    inside_fence: set[int] = set()
    for block in parse_blocks(Path("page.md"), "\n".join(lines)):
        inside_fence.update(range(block.line - 1, block.end))
    groups: list[list[_Tab]] = []
    for index, text in enumerate(lines):
        match = None if index in inside_fence else TAB_LINE.match(text)
        if not match:
            continue
        indent = len(match["indent"])
        end = index + 1
        while end < len(lines) and (
            not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
        ):
            end += 1
        tab = _Tab(match["label"], match["flag"], indent, index, end)
        joins = [
            group
            for group in groups
            if group[-1].indent == indent and group[-1].end == index and tab.flag != "!"
        ]
        if joins:
            joins[-1].append(tab)
        else:
            groups.append([tab])
    return groups


def _with_page_note(lines: list[str], hidden: list[Block], line: str) -> list[str]:
    ranges = ", ".join(dict.fromkeys(str(block.django) for block in hidden))
    note = [
        "",
        f'!!! note "Nothing here for Django {line}"',
        f"    The examples on this page are for {ranges}. This version of the guide is for "
        f"Django {line}; pick another version in the header to see them.",
        "",
    ]
    heading = next((i for i, text in enumerate(lines) if text.startswith("# ")), -1)
    return lines[: heading + 1] + note + lines[heading + 1 :]
