"""What a run says about each block: its status, the checks it passed and failures."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from enum import Enum
from importlib.metadata import PackageNotFoundError, version

from .fences import Block
from .records import BlockRecord
from .versions import Line, parse_line

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Django 3.2 and 4.0 run on Python 3.10

    class StrEnum(str, Enum):
        def __str__(self) -> str:
            return str(self.value)


class Status(StrEnum):
    """A block's outcome on one Django line, as the report writes it."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class Environment:
    """The Django line under test, as installed in this interpreter."""

    django: str
    whitenoise: str | None
    python: str

    @classmethod
    def installed(cls) -> Environment:
        """The Django, WhiteNoise and Python of this interpreter."""
        try:
            whitenoise: str | None = version("whitenoise")
        except PackageNotFoundError:
            whitenoise = None
        return cls(version("django"), whitenoise, platform.python_version())

    @property
    def line(self) -> Line:
        return parse_line(self.django)

    def describe(self) -> str:
        return f"Django {self.django} (Python {self.python}, WhiteNoise {self.whitenoise or 'not installed'})"


@dataclass(frozen=True)
class Failure:
    """A check that failed on a block, with what it expected and what came instead."""

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


@dataclass(frozen=True)
class Reuse:
    """A verdict taken from the result store: the key it was stored under, and when the
    run that produced it finished."""

    key: str
    finished: str


@dataclass
class BlockVerdict:
    """What a page run says about one block; failures explain a FAILED status."""

    block: Block
    status: Status = Status.PASSED
    reason: str = ""
    checks: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    updates: list[OutputUpdate] = field(default_factory=list)
    reused: Reuse | None = None
    #: What running it did; None for a block that did not run
    record: BlockRecord | None = None

    @property
    def fix(self) -> str:
        return " Then: ".join(failure.hint for failure in self.failures if failure.hint)
