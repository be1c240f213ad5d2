"""Fixtures for the harness's own tests: run inline Markdown as a page."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from docs_harness.harness.extract import extract_blocks
from docs_harness.harness.project import ProjectFactory
from docs_harness.harness.scenario import run_page
from docs_harness.verdicts import BlockVerdict, Environment

ROOT = Path(__file__).resolve().parents[2]
RunMarkdown = Callable[[str], list[BlockVerdict]]


@pytest.fixture(scope="session")
def environment() -> Environment:
    return Environment.installed()


@pytest.fixture(scope="session")
def factory(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    return ProjectFactory(tmp_path_factory.mktemp("projects"))


def markdown_runner(
    tmp_path: Path, environment: Environment, factory: ProjectFactory
) -> RunMarkdown:
    """Run inline Markdown as a page; each call gets a project of its own."""
    runs = itertools.count(1)

    def run(markdown: str) -> list[BlockVerdict]:
        page = tmp_path / "page.md"
        page.write_text(textwrap.dedent(markdown))
        blocks = extract_blocks(page, page.read_text(), Path("page.md"))
        return run_page(blocks, environment, factory, f"{tmp_path.name}-{next(runs)}")

    return run


@pytest.fixture
def run_markdown(tmp_path: Path, environment: Environment, factory: ProjectFactory) -> RunMarkdown:
    return markdown_runner(tmp_path, environment, factory)
