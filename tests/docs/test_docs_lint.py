"""Python blocks in the docs pass ruff, as found by pytest-examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "example" in metafunc.fixturenames:
        docs_dir = Path(metafunc.config.getoption("--docs-dir"))
        examples = list(find_examples(docs_dir))
        metafunc.parametrize(
            "example", examples, ids=[f"{e.path.name}:{e.start_line}" for e in examples]
        )


def test_python_block_is_lint_clean(example: CodeExample, eval_example: EvalExample) -> None:
    # Settings snippets use names settings.py already defines (BASE_DIR) and
    # placeholders, so undefined names and bare expressions are expected.
    eval_example.set_config(line_length=88, ruff_ignore=["F821", "B018"])
    eval_example.lint_ruff(example)
