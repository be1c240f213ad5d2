"""Every kind of block and of command has a handler registered for it, and the docs'
conftest wires every hook of the pytest plugin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from docs_harness.check_docs import page_check, page_state  # noqa: F401 (page_check registers them)
from docs_harness.check_docs.block_kinds import Kind
from docs_harness.harness import blocks, shell_steps
from docs_harness.harness.blocks import BlockKind
from docs_harness.harness.commands import CommandKind

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "kinds, handlers",
    [
        (BlockKind, blocks._HANDLERS),
        (CommandKind, shell_steps._HANDLERS),
        (Kind, page_state.HANDLERS),
    ],
    ids=["harness blocks", "harness commands", "check-docs blocks"],
)
def test_every_kind_has_a_handler(kinds, handlers):
    assert set(kinds) == set(handlers)


def test_the_docs_conftest_wires_every_hook_and_fixture_of_the_plugin():
    from docs_harness import pytest_plugin

    tree = ast.parse((ROOT / "tests" / "docs" / "conftest.py").read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "docs_harness.pytest_plugin"
        for alias in node.names
    }
    assert imported == set(pytest_plugin.__all__) - {"RUNNER_KEY"}
