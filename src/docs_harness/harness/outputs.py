"""Compare what a command printed with what the page shows, and expected errors.

Both sides are normalised first, so that what changes from run to run (hashes, dates,
ETags, ports, the project's folder, file counts that differ between Django releases,
object addresses) does not count. Pages write the project folder as ``/srv/mysite``
and the server as ``127.0.0.1:8000``; ``rewritten`` writes real output that way.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: How pages write the project folder; the real one replaces it when output is rewritten.
DOCUMENTED_ROOT = "/srv/mysite"
DOCUMENTED_PORT = 8000
#: A line of expected output that matches any number of real lines (exact mode).
ANY_LINES = "..."

_RULES = (
    # A hashed file name: site.3f1c9a0b7d2e.css
    (re.compile(r"\.[0-9a-f]{12}\."), ".<hash>."),
    # HTTP dates: Tue, 24 Nov 2026 10:00:00 GMT
    (re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"), "<date>"),
    (re.compile(r'(?im)^(etag: )(W/)?"[^"]*"'), r"\1<etag>"),
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    # collectstatic's summary counts depend on how many files Django's admin ships.
    (
        re.compile(r"\b\d+ (static files? (?:copied|symlinked|deleted)|unmodified|post-processed)"),
        r"N \1",
    ),
    (re.compile(r" at 0x[0-9a-f]+>"), " at 0x…>"),
    # unittest's timing: Ran 3 tests in 0.041s
    (re.compile(r"\b(Ran \d+ tests?) in \d+\.\d+s\b"), r"\1 in <time>"),
)
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$")
#: What an exception's class name ends with; HINT:, Location: and the like do not.
_EXCEPTION_NAME = re.compile(r"(Error|Exception|Warning|ImproperlyConfigured|Exit|Interrupt)$")


def normalise(text: str, project_root: str | None = None) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if project_root:
        text = text.replace(project_root, "<project>")
    text = re.sub(rf"(?<![\w/]){re.escape(DOCUMENTED_ROOT)}(?=[/'\"\s:]|$)", "<project>", text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


@dataclass(frozen=True)
class Comparison:
    ok: bool
    #: The first expected line not found, for the failure message.
    missing: str = ""


def compare(expected: list[str], real: str, mode: str, project_root: str) -> Comparison:
    want = normalise("\n".join(expected)).split("\n")
    got = normalise(real, project_root).split("\n")
    if mode == "partial":
        return _in_order(want, got)
    return (
        Comparison(True) if _matches(want, got) else Comparison(False, _first_difference(want, got))
    )


def _in_order(want: list[str], got: list[str]) -> Comparison:
    """Each shown line appears in the real output, in the same order."""
    position = 0
    for line in want:
        if line == ANY_LINES:
            continue
        try:
            position = got.index(line, position) + 1
        except ValueError:
            return Comparison(False, line)
    return Comparison(True)


def _matches(want: list[str], got: list[str]) -> bool:
    """Line by line, where a ``...`` line matches any run of lines (also none)."""
    if not want:
        return not got
    if want[0] == ANY_LINES:
        return any(_matches(want[1:], got[skip:]) for skip in range(len(got) + 1))
    return bool(got) and want[0] == got[0] and _matches(want[1:], got[1:])


def _first_difference(want: list[str], got: list[str]) -> str:
    for index, line in enumerate(want):
        if line != ANY_LINES and (index >= len(got) or got[index] != line):
            return line
    return f"(the real output has {len(got) - len(want)} more lines)"


def last_exception(output: str) -> str | None:
    """The ``Type: message`` line a traceback or CommandError ends with."""
    for line in reversed(output.replace("\r", "").split("\n")):
        match = _EXCEPTION_LINE.match(line)  # at column 0: indented lines are context
        if match and _EXCEPTION_NAME.search(match["type"].rpartition(".")[2]):
            return line.strip()
    return None


def same_exception(expected: str, real: str, project_root: str) -> bool:
    """``ImproperlyConfigured: x`` matches ``django.core.exceptions.ImproperlyConfigured: x``,
    and the other way round when one side names no module."""
    want, got = _EXCEPTION_LINE.match(expected.strip()), _EXCEPTION_LINE.match(real.strip())
    if not want or not got:
        return False
    want_type, got_type = want["type"], got["type"]
    if "." not in want_type or "." not in got_type:
        want_type, got_type = want_type.rpartition(".")[2], got_type.rpartition(".")[2]
    return want_type == got_type and normalise(want["message"]) == normalise(
        got["message"], project_root
    )


def rewritten(real: str, project_root: str, mode: str, shown: list[str]) -> list[str]:
    """Real output as a page would show it, for ``--update-examples``."""
    text = real.replace("\r\n", "\n").replace(project_root, DOCUMENTED_ROOT)
    text = re.sub(r"\b(127\.0\.0\.1|localhost):\d+", rf"\1:{DOCUMENTED_PORT}", text)
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    if mode == "partial":
        return _same_lines_updated(shown, lines)
    return _collapsed_tracebacks(lines)


def _collapsed_tracebacks(lines: list[str]) -> list[str]:
    """A traceback becomes its first line, ``...`` and its exception line."""
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("Traceback (most recent call last):"):
            out += [line, ANY_LINES]
            inside = True
        elif inside and not line.startswith(" ") and _ends_traceback(line):
            out.append(line)
            inside = False
        elif not inside:
            out.append(line)
    return out


def _ends_traceback(line: str) -> bool:
    match = _EXCEPTION_LINE.match(line)
    name = match["type"] if match else line.strip()
    return bool(re.fullmatch(r"[A-Za-z_][\w.]*", name)) and bool(
        _EXCEPTION_NAME.search(name.rpartition(".")[2])
    )


def _same_lines_updated(shown: list[str], real: list[str]) -> list[str]:
    """Partial output keeps its lines. A ``Header: value`` line takes the real line
    with the same header name; any other line the real line most like it."""
    headers: dict[str, str] = {}
    for line in real:
        name = re.match(r"^([\w-]+): ", line)
        if name:
            headers.setdefault(name[1].lower(), line)
    updated = []
    for line in shown:
        name = re.match(r"^([\w-]+): ", line)
        if name and name[1].lower() in headers:
            updated.append(headers[name[1].lower()])
        else:
            close = difflib.get_close_matches(line, real, n=1, cutoff=0.6)
            updated.append(close[0] if close else line)
    return updated
