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


@dataclass
class BlockVerdict:
    block: Block
    status: str = PASSED
    reason: str = ""
    checks: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
