"""The blocks of a page as the harness runs them: ours, cross-checked with pytest-examples,
so a block is never dropped silently."""

from __future__ import annotations

from pathlib import Path

from pytest_examples import find_examples

from ..fences import Block, parse_blocks


def extract_blocks(path: Path, text: str, display_path: Path | None = None) -> list[Block]:
    """Every fenced block of one Markdown text, in page order, cross-checked with
    pytest-examples."""
    shown = display_path or path
    return _with_blocks_only_pytest_examples_found(path, shown, parse_blocks(shown, text))


def _with_blocks_only_pytest_examples_found(
    path: Path, shown: Path, blocks: list[Block]
) -> list[Block]:
    """pytest-examples finds Python blocks on its own. Any it finds that we did not
    become failing blocks, so a block is never dropped silently. (It reads fewer fence
    forms than we do, tildes for one, so the reverse is expected.)"""
    spans = [range(b.line, b.line + b.source.count("\n") + 2) for b in blocks]
    missed = [
        Block(shown, example.start_line, "python", {}, example.source,
              error="pytest-examples finds a Python block here that the harness does "
              "not; check that the fence is closed and indented like its opening")
        for example in find_examples(path)
        if not any(example.start_line in span for span in spans)
    ]  # fmt: skip
    return sorted([*blocks, *missed], key=lambda block: block.line)
