"""Every fenced block under --docs-dir, on the Django line installed here."""

from __future__ import annotations

import pytest

from tests.conftest import RUNNER_KEY
from tests.harness.fences import Block
from tests.harness.report import failure_message
from tests.harness.verdicts import FAILED, NOT_APPLICABLE, SKIPPED
from tests.harness.versions import format_line


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "block" in metafunc.fixturenames:
        runner = metafunc.config.stash[RUNNER_KEY]
        line = format_line(runner.environment.line)
        blocks = runner.blocks()
        metafunc.parametrize("block", blocks, ids=[f"{b.location}@django-{line}" for b in blocks])


def test_block_works_as_the_page_says(block: Block, page_runner) -> None:
    verdict = page_runner.verdict(block)
    if verdict.status == FAILED:
        pytest.fail(failure_message(verdict, page_runner.environment), pytrace=False)
    if verdict.status == NOT_APPLICABLE:
        pytest.skip(f"not applicable: {verdict.reason}")
    if verdict.status == SKIPPED:
        pytest.skip(verdict.reason)
    assert verdict.checks, f"{block.location}: no check ran for this block"
