"""What check-docs says of a block, and what reading a page has led to so far: shared
by ``page_check`` (reading a page's blocks in order) and ``loading`` (loading the
settings they lead to, and naming what is wrong)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..harness.project import Project
from ..verdicts import Status
from . import environment
from .block_kinds import Kind, ReadBlock
from .markdown_blocks import FoundBlock

#: A block works (passed), is broken (failed) or cannot be checked (skipped).
WORKS, BROKEN, NOT_CHECKABLE = Status.PASSED, Status.FAILED, Status.SKIPPED
#: The statuses in the words check-docs prints.
SAID = {WORKS: "works", BROKEN: "broken", NOT_CHECKABLE: "not checkable"}
SETTINGS_KINDS = (Kind.SETTINGS, Kind.URLCONF)


@dataclass(frozen=True)
class Verdict:
    """What check-docs says of one block; a broken block's reason starts with the code."""

    block: FoundBlock
    status: Status
    reason: str = ""
    fix: str = ""
    #: the rulebook's codes, e.g. ("WN104",)
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    blocks: list[ReadBlock]
    #: the prose tells the reader to install WhiteNoise ("add whitenoise to requirements.txt")
    told: bool


@dataclass
class PageState:
    """What a page has led to so far, as its blocks are read in order."""

    project: Project
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    #: setting (or "urlpatterns", "install") -> the block that last set it
    setter: dict[str, ReadBlock] = field(default_factory=dict)
    #: settings a block assigned whole, without a placeholder for the rest
    whole: set[str] = field(default_factory=set)
    #: every dotted name the page's Python mentions
    names: set[str] = field(default_factory=set)
    installed: list[str] | None = None
    urlconf: ast.Module | None = None
    told: bool = False
    #: environment variables the settings read
    environment: set[str] = field(default_factory=set)
    #: the blocks as read, in order (a block set aside in part, as what was left of it)
    read: list[ReadBlock] = field(default_factory=list)
    #: block line -> the missing module whose lines were left out of it
    without: dict[int, str] = field(default_factory=dict)
    #: name -> the import statement of an earlier block that defines it
    imports: dict[str, str] = field(default_factory=dict)
    #: blocks handing the settings to a helper (``django_heroku.settings(locals())``)
    opaque: list[ReadBlock] = field(default_factory=list)

    def environment_values(self) -> dict[str, str]:
        return {name: environment.stand_in(name) for name in sorted(self.environment)}

    def not_checkable(self, item: ReadBlock, reason: str) -> None:
        self.verdicts[item.block.line] = Verdict(item.block, NOT_CHECKABLE, reason)

    def note_imports(self, item: ReadBlock) -> None:
        """Imports any block shows, for a later settings block that uses the name."""
        for node in item.tree.body if item.tree else ():
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.names[0].name != "*":
                for alias in node.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    self.imports.setdefault(name, ast.unparse(node) + "\n")

    def mentions(self, item: ReadBlock, names: Iterable[str]) -> None:
        """``item`` names these; a mistake in a name is shown on its first block."""
        for name in names:
            self.names.add(name)
            self.setter.setdefault(f"name:{name}", item)


Read = Callable[[PageState, ReadBlock], None]
HANDLERS: dict[Kind, Read] = {}


def handles(*kinds: Kind) -> Callable[[Read], Read]:
    """Register what reading a page does with a block of ``kinds``."""

    def register(read: Read) -> Read:
        for kind in kinds:
            HANDLERS[kind] = read
        return read

    return register


def dotted_names(tree: ast.Module | None) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found
