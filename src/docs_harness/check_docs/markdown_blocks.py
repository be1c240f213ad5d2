"""Every code block of a Markdown file, found by CommonMark's rules (markdown-it-py).

Fences with or without a language, backticks or tildes, inside list items or block
quotes, left open at the end of the file; four-space indented blocks; and MyST
directives such as ```` ```{note} ````, which look like fences but hold prose.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

FENCED, INDENTED, DIRECTIVE = "fenced", "indented", "directive"


@dataclass(frozen=True)
class FoundBlock:
    path: Path
    #: 1-based line of the opening fence (or of the first indented line)
    line: int
    #: 1-based line past the block
    end: int
    form: str
    #: the fence's info string, e.g. ``python title="settings.py"``; empty when indented
    info: str
    source: str
    #: a fence still open at the end of the file (CommonMark closes it there)
    unclosed: bool = False

    @property
    def language(self) -> str:
        word = self.info.split(maxsplit=1)[0] if self.info.strip() else ""
        return word.strip("{}").lower()

    @property
    def digest(self) -> str:
        """Names the block's text and info string, as the harness's digest does."""
        return hashlib.sha256(f"{self.info}\n{self.source}".encode()).hexdigest()[:16]

    @property
    def location(self) -> str:
        return f"{self.path.as_posix()}:{self.line}"


def find_blocks(path: Path, text: str) -> list[FoundBlock]:
    lines = text.split("\n")  # as CommonMark counts lines, unlike str.splitlines
    found = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type not in ("fence", "code_block") or token.map is None:
            continue
        start, end = token.map
        if token.type == "code_block":
            found.append(FoundBlock(path, start + 1, end + 1, INDENTED, "", token.content))
            continue
        info = token.info.strip()
        form = DIRECTIVE if info.startswith("{") else FENCED
        last = lines[end - 1] if end - 1 < len(lines) else ""
        last = re.sub(r"^[\s>]*", "", last).strip()  # a fence closed inside a block quote
        closed = end - start >= 2 and last.startswith(token.markup[0] * len(token.markup))
        closed = closed and not last.strip(token.markup[0])
        found.append(
            FoundBlock(path, start + 1, end + 1, form, info, token.content, unclosed=not closed)
        )
    return found
