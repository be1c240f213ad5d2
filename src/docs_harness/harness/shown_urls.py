"""URL paths a page shows in a command's output, and the status the page says they get.

A reader who sees ``/static/css/site.41a30481bef9.css`` printed by ``{% static %}``, or
a path in what ``curl`` prints, will open it. So every such path under ``STATIC_URL``
is requested from the page's server and must answer 200, unless a ``curl`` on the
page shows that path answering something else (``HTTP/1.1 404 Not Found``).

Pure text in, text out: the requests are made by ``PageContext``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..fences import Block
from .commands import CommandError, CommandKind, read_shell_block
from .outputs import normalise

_URL = re.compile(r"https?://[^\s\"'<>()]+")
#: A path to a file (``/static/x/y.css``) standing alone: quotes, brackets and spaces
#: end it, as in HTML, JSON and Python's printed lists; not the tail of a URL or a word.
_BARE_PATH = re.compile(r"(?<![\w.~%/:@-])(/[\w.~%/@+-]*[\w-]\.\w+)")
_FILE_NAME = re.compile(r"[\w-]\.\w+$")
_STATUS_LINE = re.compile(r"^HTTP/[\d.]+ (\d{3})\b")
#: normalised path -> the statuses curl commands on the page show it answering
Statuses = dict[str, set[int]]


@dataclass(frozen=True)
class ShownUrl:
    #: the path as the real output printed it (real hashes), to request
    path: str
    #: the statuses the page shows it answering (200 when no curl on the page shows one)
    statuses: frozenset[int]
    #: the command whose output showed it
    command: str


def paths_shown(shown: list[str], real: str, project_root: str) -> list[str]:
    """Paths in the real output's lines that the page shows (compared normalised, so a
    hash written on the page finds the real hash)."""
    wanted = {normalise(line) for line in shown if line.strip()}
    found: list[str] = []
    for line in real.replace("\r", "").split("\n"):
        if normalise(line, project_root) not in wanted:
            continue
        for path in _paths_in(line):
            if path not in found:
                found.append(path)
    return found


def _paths_in(line: str) -> list[str]:
    urls = [urlsplit(match[0]).path for match in _URL.finditer(line)]
    bare = [match[1] for match in _BARE_PATH.finditer(_URL.sub(" ", line))]
    return [path for path in urls if _FILE_NAME.search(path)] + bare


def served_paths(paths: list[str], static_url: str, script_name: str = "") -> list[str]:
    """The paths under STATIC_URL (with or without the script prefix): the project's."""
    prefix = "/" + urlsplit(static_url or "/static/").path.lstrip("/")
    script = script_name.rstrip("/")
    prefixes = {prefix, script + prefix} if script else {prefix}
    return [path for path in paths if any(path.startswith(p) for p in prefixes)]


def statuses_shown(blocks: list[Block]) -> Statuses:
    """Normalised path -> the statuses ``curl`` commands on the page show it answering."""
    statuses: Statuses = {}
    for block in blocks:
        if block.language != "console" or "output" not in block.options:
            continue
        try:
            commands = read_shell_block(block.source, block.language)
        except CommandError:
            continue  # the block itself fails for this, naming the line
        for command in commands:
            status = next(
                (int(m[1]) for line in command.output if (m := _STATUS_LINE.match(line.strip()))),
                None,
            )
            if command.kind != CommandKind.CURL or status is None:
                continue
            for arg in command.args:
                if arg.startswith(("http://", "https://")):
                    statuses.setdefault(normalise(urlsplit(arg).path), set()).add(status)
    return statuses


def shown(path: str, command: str, statuses: Statuses) -> ShownUrl:
    return ShownUrl(path, frozenset(statuses.get(normalise(path)) or {200}), command)
