"""Every fenced block under --docs-dir, on the Django line installed here."""

from __future__ import annotations

import pytest

from docs_harness.fences import Block
from docs_harness.pytest_plugin import RUNNER_KEY
from docs_harness.report import failure_message
from docs_harness.verdicts import Status
from docs_harness.versions import format_line


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "block" in metafunc.fixturenames:
        runner = metafunc.config.stash[RUNNER_KEY]
        line = format_line(runner.environment.line)
        blocks = runner.blocks()
        metafunc.parametrize("block", blocks, ids=[f"{b.location}@django-{line}" for b in blocks])


def test_block_works_as_the_page_says(block: Block, page_runner) -> None:
    verdict = page_runner.verdict(block)
    if verdict.status == Status.FAILED:
        pytest.fail(failure_message(verdict, page_runner.environment), pytrace=False)
    if verdict.status == Status.NOT_APPLICABLE:
        pytest.skip(f"not applicable: {verdict.reason}")
    if verdict.status == Status.SKIPPED:
        pytest.skip(verdict.reason)
    assert verdict.checks, f"{block.location}: no check ran for this block"
