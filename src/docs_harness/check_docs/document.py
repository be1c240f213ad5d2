"""A document's text as a reader's editor shows it, or one reason it cannot be read.

Any bytes come in; what goes on is UTF-8 text with its byte-order mark removed and every
line ending made ``\\n`` (CommonMark's own rule), so that line numbers match what the
Markdown parser counts. A document larger than the bounds below is refused at once: a
page that size is not a page a reader follows, and checking it would take minutes.
"""

from __future__ import annotations

from pathlib import Path

#: The largest document check-docs reads, in bytes.
MAX_BYTES = 1_000_000
#: The most code blocks it reads in one document.
MAX_BLOCKS = 200
#: The most lines of settings it merges from one document (merging costs grow with the
#: square of it: 1,000 lines take about 6 seconds here).
MAX_SETTINGS_LINES = 1_000
#: The largest block it tries, in lines and characters; a larger one is not checkable.
MAX_BLOCK_LINES, MAX_BLOCK_CHARS = 500, 50_000


class Unreadable(Exception):
    """A document check-docs will not read; the message says why, in a reader's words."""


def read_document(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Unreadable(_too_large(size))
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    return decode(data)


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise Unreadable(_too_large(len(data)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        raise Unreadable(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot be decoded; "
            "save the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_large(size: int) -> str:
    return f"{size:,} bytes; check-docs reads documents of up to {MAX_BYTES:,} bytes"
