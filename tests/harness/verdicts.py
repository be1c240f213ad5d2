"""What a run says about each block: its status, the checks it passed and failures."""

from __future__ import annotations

from dataclasses import dataclass, field

from .fences import Block
from .versions import Line, parse_line

PASSED, FAILED, SKIPPED, NOT_APPLICABLE = "passed", "failed", "skipped", "not-applicable"


@dataclass(frozen=True)
class Environment:
    """The Django line under test, as installed in this interpreter."""

    django: str
    whitenoise: str | None
    python: str

    @property
    def line(self) -> Line:
        return parse_line(self.django)

    def describe(self) -> str:
        return f"Django {self.django} (Python {self.python}, WhiteNoise {self.whitenoise or 'not installed'})"


@dataclass(frozen=True)
class Failure:
    check: str
    expected: str
    got: str
    hint: str = ""
    settings_diff: str = ""
    server_output: str = ""


@dataclass(frozen=True)
class OutputUpdate:
    """Real output to write over the lines a page shows, for --update-examples."""

    #: The page, as the report names it
    path: str
    #: 1-based lines of the page that hold the shown output
    first_line: int
    last_line: int
    lines: tuple[str, ...]
    #: Spaces before each line: the fence's indentation
    indent: int = 0


@dataclass
class BlockVerdict:
    block: Block
    status: str = PASSED
    reason: str = ""
    checks: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    updates: list[OutputUpdate] = field(default_factory=list)
