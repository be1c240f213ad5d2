"""Real-world Markdown shapes: each block found where CommonMark finds it, read right."""

from __future__ import annotations

from pathlib import Path

from docs_harness.check_docs.block_kinds import Kind, read_block
from docs_harness.check_docs.markdown_blocks import DIRECTIVE, FENCED, INDENTED, find_blocks

FIXTURE = Path(__file__).parent / "fixtures" / "shapes.md"


def _read():
    return [read_block(b) for b in find_blocks(FIXTURE, FIXTURE.read_text())]


def test_every_shape_is_found_at_its_line_with_its_form_and_kind():
    found = [(r.block.line, r.block.form, r.kind) for r in _read()]
    assert found == [
        (5, FENCED, Kind.SHELL),  # no language, reads as commands
        (11, FENCED, Kind.SETTINGS),  # inside a list item
        (21, FENCED, Kind.SETTINGS),  # tildes, inside a list item, indented four
        (29, DIRECTIVE, Kind.NOT_CODE),  # MyST directive
        (35, INDENTED, Kind.SETTINGS),  # four-space indented block
        (39, FENCED, Kind.REQUIREMENTS),
        (46, FENCED, Kind.SHELL),  # marked python, but holds a command
        (50, FENCED, Kind.OTHER),
        (56, FENCED, Kind.SETTINGS),  # unclosed: runs to the end of the file
    ]


def test_list_item_indentation_is_removed_from_the_source():
    blocks = find_blocks(FIXTURE, FIXTURE.read_text())
    assert blocks[1].source.startswith("MIDDLEWARE = [\n    ")
    assert blocks[2].source.startswith("STORAGES = {\n")


def test_a_fence_left_open_runs_to_the_end_and_says_so():
    last = find_blocks(FIXTURE, FIXTURE.read_text())[-1]
    assert last.unclosed and last.source == "DEBUG = False\n"
    assert not any(b.unclosed for b in find_blocks(FIXTURE, FIXTURE.read_text())[:-1])


def test_reasons_are_in_a_readers_words():
    reasons = {r.block.line: r.reason for r in _read() if r.reason}
    assert reasons[29] == "a {note} directive: prose, not code"
    assert reasons[46] == "marked python, but it holds shell commands"
    assert reasons[50] == "web server configuration"


def test_a_settings_line_is_not_taken_for_a_requirement():
    from docs_harness.check_docs.markdown_blocks import FoundBlock

    block = FoundBlock(Path("p.md"), 1, 3, FENCED, "text", "DEBUG = False\n")
    assert read_block(block).kind == Kind.OTHER
