"""What applying a block means, by kind: a handler registered for each kind of block,
working on the page's ``PageContext``.

A Python block titled ``settings.py`` edits the settings; any other titled block writes
its file; a shell block runs its commands (``shell_steps``). Any other block has no
handler and fails, so nothing is silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from ..fences import Block
from ..verdicts import StrEnum
from .checks import CheckResult
from .commands import SHELL_LANGUAGES
from .page_context import BlockFailed, PageContext, at_line
from .project import SettingsError
from .settings_merge import SnippetError
from .shell_steps import apply_shell


class BlockKind(StrEnum):
    SETTINGS = "settings"
    FILE = "file"
    SHELL = "shell"


Apply = Callable[[PageContext, Block], None]
_HANDLERS: dict[BlockKind, Apply] = {BlockKind.SHELL: apply_shell}


def handles(kind: BlockKind) -> Callable[[Apply], Apply]:
    def register(apply: Apply) -> Apply:
        _HANDLERS[kind] = apply
        return apply

    return register


def kind_of(block: Block) -> BlockKind | None:
    title = block.options.get("title", "")
    if block.is_python and title.endswith("settings.py"):
        return BlockKind.SETTINGS
    if title:
        return BlockKind.FILE
    if block.language in SHELL_LANGUAGES:
        return BlockKind.SHELL
    return None


def apply_block(ctx: PageContext, block: Block) -> None:
    if "output" in block.options and block.language != "console":
        raise BlockFailed("fence", 'output="..." on a console block', f"a {block.language} block")
    kind = kind_of(block)
    if kind is None:
        raise BlockFailed(
            "handler",
            "a block the harness knows how to run",
            f"no handler for a {block.language or 'plain'!s} block without a title",
            hint='Give the block title="path/of/the/file" to write it into the project, '
            'or add skip="why" if it is not meant to run.',
        )
    _HANDLERS[kind](ctx, block)


@handles(BlockKind.SETTINGS)
def _apply_settings(ctx: PageContext, block: Block) -> None:
    project = ctx.project
    before, ledger = project.settings_path.read_text(), dict(ctx.changed_by)
    try:
        deleting = block.options.get("edit") == "delete"
        touched = project.apply_settings(block.source, delete=deleting)
    except SnippetError as exc:
        raise BlockFailed(
            "settings-merge", "the snippet merges into settings.py", at_line(block, exc)
        ) from None
    for name in touched:
        ctx.changed_by[name] = block
    ctx.record(CheckResult("settings-merge", True), block)
    if "error" in block.options:
        # The page shows what goes wrong; the reader does not keep it.
        errors = ctx.settings_errors()
        project.settings_path.write_text(before)
        ctx.changed_by = ledger
        ctx.expect_error(block, errors)
        return
    try:
        project.declared_settings()
    except SettingsError as exc:
        raise BlockFailed("settings-load", "settings.py still runs", str(exc)) from None
    ctx.record(CheckResult("settings-load", True), block)


@handles(BlockKind.FILE)
def _write_file(ctx: PageContext, block: Block) -> None:
    title = block.options["title"]
    relative = PurePosixPath(title)
    if relative.is_absolute() or ".." in relative.parts:
        raise BlockFailed("file-written", "a path inside the project", f"title={title!r}")
    if re.search(r"^\s*(#\s*)?(\.\.\.|…)\s*$", block.source, re.M):
        raise BlockFailed(
            "file-written",
            "a whole file",
            f"{title} shows `...`; only settings.py blocks are merged",
            hint="Show the whole file, or only the lines of a settings.py block.",
        )
    target = ctx.project.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.source)
    ctx.record(CheckResult("file-written", True), block)
