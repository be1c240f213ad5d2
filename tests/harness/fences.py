"""Find every fenced code block in Markdown, with its options and Django range.

The grammar of an opening fence is documented in CONTRIBUTING.md:

    ```LANGUAGE [key="value" ...]

Blocks inside content tabs (``=== "Django 4.2+"``) take their Django range from the
tab label. Python blocks are also found by pytest-examples; one it finds that this
module misses becomes a failing block, never a silent drop.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .versions import EVERY_LINE, DjangoRange, RangeError, parse_range, range_from_tab_label

#: Options the harness reads. Each maps to what it means, for error messages.
HARNESS_OPTIONS = {
    "title": "the file a Python block edits, e.g. settings.py",
    "django": "the Django lines the block is for, e.g. 4.2+ or 3.2 to 4.1",
    "skip": "why the block is not executed (shown in the report)",
    "output": 'how a console block\'s output is compared: "exact" or "partial"',
    "error": "the error the block must end in, as `ExceptionType: message`",
    "edit": 'what a settings block does: "merge" (the default) or "delete" the settings shown',
    "fails": "checks the block shows failing, comma-separated, e.g. served-by-whitenoise",
}
EDIT_MODES = ("merge", "delete")
OUTPUT_MODES = ("exact", "partial")
#: Options only the site renders; the harness accepts and ignores them.
RENDER_OPTIONS = {"linenums", "hl_lines"}

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
        if key not in HARNESS_OPTIONS and key not in RENDER_OPTIONS:
            known = ", ".join(sorted({*HARNESS_OPTIONS, *RENDER_OPTIONS}))
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


def extract_blocks(path: Path, text: str, display_path: Path | None = None) -> list[Block]:
    """Every fenced block of one Markdown text, in page order, cross-checked with
    pytest-examples."""
    shown = display_path or path
    return _with_blocks_only_pytest_examples_found(path, shown, parse_blocks(shown, text))


def parse_blocks(path: Path, text: str) -> list[Block]:
    """Every fenced block of one Markdown text, in page order (the site's hooks use
    this; they run without pytest-examples)."""
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


def _with_blocks_only_pytest_examples_found(
    path: Path, shown: Path, blocks: list[Block]
) -> list[Block]:
    """pytest-examples finds Python blocks on its own. Any it finds that we did not
    become failing blocks, so a block is never dropped silently. (It reads fewer fence
    forms than we do, tildes for one, so the reverse is expected.)"""
    from pytest_examples import find_examples  # not needed by the site's hooks

    spans = [range(b.line, b.line + b.source.count("\n") + 2) for b in blocks]
    missed = [
        Block(shown, example.start_line, "python", {}, example.source,
              error="pytest-examples finds a Python block here that the harness does "
              "not; check that the fence is closed and indented like its opening")
        for example in find_examples(path)
        if not any(example.start_line in span for span in spans)
    ]  # fmt: skip
    return sorted([*blocks, *missed], key=lambda block: block.line)
