"""The run records of one page on one line, as a page of the site.

A version of the site for one Django line gets ``records/<page>.md`` for each page
with blocks that ran there: the versions the run used, the command that repeats it,
then one section per block (``#line-<N>``) with what it ran, the HTTP it exchanged,
its checks and the settings it left. Only records whose block text is still the
page's are rendered; a badge links to its section only when that section exists.
"""

from __future__ import annotations

import html
import posixpath
import re
import shlex
from collections.abc import Iterable

from ..fences import Block
from ..records import BlockRecord, LineRecords

RECORDS_DIR = "records"


def record_uri(src_uri: str) -> str:
    """``how-to/brotli.md`` -> ``records/how-to/brotli.md``."""
    return f"{RECORDS_DIR}/{src_uri}"


def is_record_page(src_uri: str) -> bool:
    return src_uri.startswith(f"{RECORDS_DIR}/")


def anchor(block: Block) -> str:
    return f"line-{block.line}"


def record_link(src_uri: str, block: Block) -> str:
    """The link from a page to one of its blocks' record, relative to the page."""
    target = posixpath.relpath(record_uri(src_uri), posixpath.dirname(src_uri) or ".")
    return f"{target}#{anchor(block)}"


def repeat_command(line: str, file: str) -> str:
    """Re-runs one page, whole and in order, on one line; ``--fresh``: even where
    stored verdicts would be reused."""
    return f'nox -s "test-examples({line})" -- -k "{file}" --fresh'


def page_title(source: str, src_uri: str) -> str:
    match = re.search(r"^# (.+)$", source, re.MULTILINE)
    return match.group(1).strip() if match else src_uri


def render_records(
    src_uri: str, file: str, title: str, blocks: Iterable[Block], records: LineRecords
) -> str | None:
    """The Markdown of the page's record page, or None when none of ``blocks`` has a
    record of its text as it stands."""
    sections = [
        line
        for block in blocks
        if (found := records.record(file, block.line, block.digest))
        for line in _block_section(block, *found)
    ]
    if not sections:
        return None
    versions = records.versions
    line = records.line
    back = posixpath.relpath(src_uri, posixpath.dirname(record_uri(src_uri)))
    parts = [
        "---",
        "search:",
        "  exclude: true",
        "---",
        "",
        f"# Run records on Django {line}: {title}",
        "",
        f"What running the examples of [{title}]({back}) on Django {line} did, block by "
        "block: the commands and what they printed, each HTTP request and its response "
        "headers, and each check. Each badge on that page links to its block here.",
        "",
        "| Run on | Version |",
        "| --- | --- |",
        f"| Django | {versions['django']} |",
        f"| WhiteNoise | {versions['whitenoise']} |",
        f"| Python | {versions['python']} |",
        f"| gunicorn | {versions['gunicorn']} |",
        f"| Operating system | {_cell(versions['os'])} |",
        "",
        "## Repeat it",
        "",
        f"From a clone of this guide's repository, this runs the page's blocks in order on "
        f"Django {line}, reusing no earlier result, and says what failed, if anything:",
        "",
        "```bash",
        repeat_command(line, file),
        "```",
        "",
    ]
    return "\n".join(parts + sections) + "\n"


def _block_section(block: Block, record: BlockRecord, reused: dict[str, str] | None) -> list[str]:
    parts = [
        f"## Line {block.line}: `{block.language or 'text'}` block {record.status} "
        f"{{#{anchor(block)}}}",
        "",
        f"Run on {_date(record.ran)}. Block digest `{record.digest[:16]}`.",
        "",
    ]
    if reused:
        parts += [
            '!!! info "Reused verdict"',
            f"    This verdict comes from the run of {_date(reused['finished'])} (key "
            f"`{reused['key'][:16]}`). Nothing it depends on has changed since: the page's "
            "text, the example project, the harness and every installed package are the same.",
            "",
        ]
    if record.commands:
        parts += ["### Commands", ""]
        for command in record.commands:
            parts += _command(command.argv, command.exit_status, command.output, command.note)
    if record.exchanges:
        parts += ["### HTTP", ""]
        for exchange in record.exchanges:
            request = [f"{exchange.method} {exchange.path} HTTP/1.1"]
            request += [f"{name}: {value}" for name, value in exchange.request_headers.items()]
            response = [f"HTTP/1.1 {exchange.status}"]
            response += [f"{name}: {value}" for name, value in sorted(exchange.response_headers.items())]  # fmt: skip
            parts += _fenced("http", "\n".join([*request, "", *response]))
    parts += ["### Checks", "", "| Check | Result | Expected | Got |", "| --- | --- | --- | --- |"]
    for check in record.checks:
        result = (
            "failed, as the page shows" if check.as_shown else ("passed" if check.ok else "failed")
        )
        if check.evidence_at is not None:
            # Checked while a later block ran; its commands and requests are there.
            result += f" (run under [line {check.evidence_at}](#line-{check.evidence_at}))"
        got = _cell(check.got) or ("as expected" if check.ok or check.as_shown else "")
        parts.append(f"| `{check.name}` | {result} | {_cell(check.expected)} | {got} |")
    parts.append("")
    parts += _left_out(record)
    if record.settings_diff:
        parts += ["### settings.py compared with what startproject made", ""]
        parts += _fenced("diff", record.settings_diff)
    return parts


def _command(argv: list[str], exit_status: int | None, output: str, note: str) -> list[str]:
    if exit_status is None:
        status = "it did not exit by itself: what it printed until it was stopped"
    else:
        status = f"exit status {exit_status}"
    lines = [f"{_code(shlex.join(argv))} ({status})", ""]
    if note:
        lines += [f"_{note}_", ""]
    return lines + _fenced("text", output.rstrip() or "(no output)")


def _left_out(record: BlockRecord) -> list[str]:
    if not record.left_out:
        return []
    said = ", ".join(f"{count} more {kind}" for kind, count in sorted(record.left_out.items()))
    return [f"_Not kept, to keep this record small: {said}._", ""]


def _fenced(language: str, text: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence, ""]


def _cell(text: str) -> str:
    """A table cell: one line, nothing read as Markdown or HTML. HTML's own characters
    first, so that the references made for Markdown's are not escaped again."""
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"[\\`*_{}\[\]()#+!~|]", lambda m: f"&#{ord(m[0])};", escaped)
    return f"<code>{escaped.replace(chr(10), '<br>')}</code>"


def _code(text: str) -> str:
    """An inline code span of ``text`` as it is, backticks included."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _date(stamp: str) -> str:
    return stamp.replace("T", " ")[:16] + " UTC" if stamp else "an unknown date"
