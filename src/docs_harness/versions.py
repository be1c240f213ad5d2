"""Django version ranges, read from content-tab labels and fence options."""

from __future__ import annotations

import re
from dataclasses import dataclass

Line = tuple[int, int]

_VERSION = r"(\d+)\.(\d+)"
_FORMS = (
    (re.compile(rf"^{_VERSION}\s*\+$"), "from"),
    (re.compile(rf"^{_VERSION}\s*(?:to|–|—|-)\s*{_VERSION}$"), "between"),
    (re.compile(rf"^{_VERSION}$"), "only"),
)


class RangeError(ValueError):
    """A label or option names Django versions in a form we cannot read."""


@dataclass(frozen=True)
class DjangoRange:
    """Inclusive range of Django release lines; ``None`` ends are open."""

    low: Line | None = None
    high: Line | None = None

    def contains(self, line: Line) -> bool:
        return (self.low is None or line >= self.low) and (self.high is None or line <= self.high)

    def intersect(self, other: DjangoRange) -> DjangoRange:
        lows = [v for v in (self.low, other.low) if v is not None]
        highs = [v for v in (self.high, other.high) if v is not None]
        return DjangoRange(max(lows, default=None), min(highs, default=None))

    def __str__(self) -> str:
        if self.low is None:
            return (
                "every Django line"
                if self.high is None
                else f"Django up to {format_line(self.high)}"
            )
        if self.high is None:
            return f"Django {format_line(self.low)}+"
        if self.low == self.high:
            return f"Django {format_line(self.low)}"
        return f"Django {format_line(self.low)} to {format_line(self.high)}"


EVERY_LINE = DjangoRange()


def format_line(line: Line) -> str:
    return f"{line[0]}.{line[1]}"


def parse_line(text: str) -> Line:
    """``"5.2.19"`` or ``"5.2"`` -> ``(5, 2)``."""
    match = re.match(_VERSION, text.strip())
    if not match:
        raise RangeError(f"not a Django version: {text!r}")
    return int(match.group(1)), int(match.group(2))


def parse_range(text: str) -> DjangoRange:
    """Read ``4.2+``, ``3.2 to 4.1`` (also with a dash) or ``5.1``."""
    spec = text.strip()
    for pattern, form in _FORMS:
        match = pattern.match(spec)
        if not match:
            continue
        numbers = [int(n) for n in match.groups()]
        first = (numbers[0], numbers[1])
        if form == "from":
            return DjangoRange(first, None)
        if form == "only":
            return DjangoRange(first, first)
        last = (numbers[2], numbers[3])
        if last < first:
            raise RangeError(f"range {text!r} ends before it starts")
        return DjangoRange(first, last)
    raise RangeError(f"cannot read Django range {text!r}; write '4.2+', '3.2 to 4.1' or '5.1'")


def range_from_tab_label(label: str) -> DjangoRange:
    """A tab labelled "Django 4.2+" applies to 4.2+; a label without "Django" to all."""
    match = re.match(r"^\s*Django\s+(.+?)\s*$", label)
    if not match:
        if "django" in label.lower():
            raise RangeError(
                f"tab label {label!r} mentions Django but is not of the form "
                "'Django 4.2+' or 'Django 3.2 to 4.1'"
            )
        return EVERY_LINE
    return parse_range(match.group(1))
