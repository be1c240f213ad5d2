"""Find every fenced code block in Markdown, with its options and Django range.

The grammar of an opening fence is documented in CONTRIBUTING.md:

    ```LANGUAGE [key="value" ...]

Blocks inside content tabs (``=== "Django 4.2+"``) take their Django range from the
tab label. ``harness.extract`` cross-checks Python blocks with pytest-examples.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from .versions import EVERY_LINE, DjangoRange, RangeError, parse_range, range_from_tab_label


@dataclass(frozen=True)
class FenceOption:
    #: What the option means, for error messages and CONTRIBUTING.md
    meaning: str
    #: Read by the harness only: the site hides it before rendering the block.
    harness_only: bool = True


#: Every option a fence may carry; anything else fails the block.
FENCE_OPTIONS = {
    "title": FenceOption("the file a block edits or writes, e.g. settings.py", harness_only=False),
    "django": FenceOption("the Django lines the block is for, e.g. 4.2+ or 3.2 to 4.1"),
    "skip": FenceOption("why the block is not executed (shown in the report)"),
    "output": FenceOption('how a console block\'s output is compared: "exact" or "partial"'),
    "error": FenceOption("the error the block must end in, as `ExceptionType: message`"),
    "edit": FenceOption(
        'what a settings block does: "merge" (the default) or "delete" the settings shown'
    ),
    "fails": FenceOption("checks the block shows failing, comma-separated"),
    "linenums": FenceOption("line numbers, rendered by the site", harness_only=False),
    "hl_lines": FenceOption("lines to highlight, rendered by the site", harness_only=False),
}
HARNESS_ONLY_OPTIONS = tuple(name for name, option in FENCE_OPTIONS.items() if option.harness_only)
OutputMode = Literal["exact", "partial"]
EditMode = Literal["merge", "delete"]
OUTPUT_MODES: tuple[OutputMode, ...] = get_args(OutputMode)
EDIT_MODES: tuple[EditMode, ...] = get_args(EditMode)

_FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
TAB_LINE = re.compile(r'^(?P<indent> *)===(?P<flag>[!+]?)\s+"(?P<label>[^"]*)"\s*$')
_OPTION = re.compile(r'(?P<key>[A-Za-z_][\w-]*)="(?P<value>[^"]*)"')
_PYTHON_LANGUAGES = {"py", "python", "python3"}


class FenceError(ValueError):
    """A fence the harness cannot read; the message names file and line."""


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    path: Path
    line: int
    language: str
    options: Mapping[str, str]
    source: str
    django: DjangoRange = EVERY_LINE
    tab: str | None = None
    #: Set when the fence cannot be read; the block then fails on every line.
    error: str | None = field(default=None, compare=False)
    #: Spaces before the opening fence (inside content tabs and lists)
    indent: int = field(default=0, compare=False)
    #: 1-based line of the closing fence (past the last line if left open)
    end: int = field(default=0, compare=False)

    @property
    def location(self) -> str:
        return f"{self.path.as_posix()}:{self.line}"

    @property
    def digest(self) -> str:
        """Names what the harness ran: the text, the options and the Django range, so a
        result is only reused while the block is exactly the same."""
        options = " ".join(f"{key}={value!r}" for key, value in sorted(self.options.items()))
        named = f"{self.language}\n{options}\n{self.django}\n{self.source}"
        return hashlib.sha256(named.encode()).hexdigest()[:16]

    @property
    def is_python(self) -> bool:
        return self.language in _PYTHON_LANGUAGES


def parse_info_string(info: str) -> tuple[str, dict[str, str]]:
    """``python title="settings.py"`` -> ``("python", {"title": "settings.py"})``."""
    info = info.strip()
    language, _, rest = info.partition(" ")
    if "=" in language:
        language, rest = "", info
    options: dict[str, str] = {}
    leftover = _OPTION.sub(lambda m: _take(options, m), rest).strip()
    if leftover:
        raise FenceError(f'cannot read {leftover!r} in the fence; write key="value"')
    for key in options:
        if key not in FENCE_OPTIONS:
            known = ", ".join(sorted(FENCE_OPTIONS))
            raise FenceError(f"unknown fence option {key!r} (known: {known})")
    if options.get("output", OUTPUT_MODES[0]) not in OUTPUT_MODES:
        raise FenceError(f'output="{options["output"]}": write output="exact" or output="partial"')
    if options.get("edit", EDIT_MODES[0]) not in EDIT_MODES:
        raise FenceError(f'edit="{options["edit"]}": write edit="merge" or edit="delete"')
    if "error" in options and ": " not in options["error"]:
        raise FenceError(f'error="{options["error"]}": write error="ExceptionType: message"')
    return language.lower(), options


def _take(options: dict[str, str], match: re.Match[str]) -> str:
    key = match.group("key")
    if key in options:
        raise FenceError(f"fence option {key!r} is given twice")
    options[key] = match.group("value")
    return ""


def parse_blocks(path: Path, text: str) -> list[Block]:
    """Every fenced block of one Markdown text, in page order."""
    return [_to_block(path, raw) for raw in _raw_fences(text)]


@dataclass
class _RawFence:
    line: int
    info: str
    body: str
    tab: str | None
    tab_range: DjangoRange
    tab_error: str | None
    indent: int
    end: int


def _raw_fences(text: str) -> Iterator[_RawFence]:
    lines = text.splitlines()
    tabs: list[tuple[int, str]] = []  # (indent of the === line, label)
    index = 0
    while index < len(lines):
        line = lines[index]
        indent = len(line) - len(line.lstrip(" "))
        if line.strip():
            while tabs and indent <= tabs[-1][0] and not TAB_LINE.match(line):
                tabs.pop()
        tab_match = TAB_LINE.match(line)
        if tab_match:
            while tabs and tabs[-1][0] >= indent:
                tabs.pop()
            tabs.append((indent, tab_match.group("label")))
            index += 1
            continue
        opening = _FENCE_OPEN.match(line)
        if not opening or (opening["fence"][0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        fence, fence_indent = opening["fence"], len(opening["indent"])
        closing = re.compile(rf"^ {{0,{fence_indent + 3}}}{fence[0]}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        # CommonMark: a fence left open runs to the end of the document.
        body = "\n".join(_unindent(text, fence_indent) for text in lines[index + 1 : end])
        label = tabs[-1][1] if tabs else None
        tab_range, tab_error = EVERY_LINE, None
        for _, tab_label in tabs:
            try:
                tab_range = tab_range.intersect(range_from_tab_label(tab_label))
            except RangeError as exc:
                tab_error = f'content tab "{tab_label}": {exc}'
        yield _RawFence(
            index + 1, opening["info"], body + "\n", label, tab_range, tab_error, fence_indent,
            end + 1,
        )  # fmt: skip
        index = end + 1


def _unindent(line: str, indent: int) -> str:
    """CommonMark: remove up to the opening fence's indentation from each line."""
    return line[min(indent, len(line) - len(line.lstrip(" "))) :]


def _to_block(path: Path, raw: _RawFence) -> Block:
    try:
        language, options = parse_info_string(raw.info)
    except FenceError as exc:
        language = raw.info.strip().partition(" ")[0].lower()
        return Block(
            path, raw.line, language, {}, raw.body, tab=raw.tab, error=str(exc),
            indent=raw.indent, end=raw.end,
        )  # fmt: skip
    django, error = raw.tab_range, raw.tab_error
    if "django" in options:
        try:
            django = django.intersect(parse_range(options["django"]))
        except RangeError as exc:
            error = str(exc)
    if django.low is not None and django.high is not None and django.low > django.high:
        error = (
            f'django="{options.get("django")}" and the content tab "{raw.tab}" leave '
            "no Django line for this block"
        )
    return Block(
        path, raw.line, language, options, raw.body, django, raw.tab, error, raw.indent, raw.end
    )
