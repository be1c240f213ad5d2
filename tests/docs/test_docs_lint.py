"""Python blocks in the docs pass ruff, as found by pytest-examples.

ruff runs once over every block (a file each) instead of once per block: the same
rules (this project's configuration and pytest-examples' options), one process.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from pytest_examples import CodeExample, find_examples
from pytest_examples.config import ExamplesConfig
from pytest_examples.lint import find_ruff_bin

ROOT = Path(__file__).resolve().parents[2]
# Settings snippets use names settings.py already defines (BASE_DIR) and placeholders,
# so undefined names and bare expressions are expected.
CONFIG = ExamplesConfig(line_length=88, ruff_ignore=["F821", "B018"])
FINDING = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+):(?P<rest>\d+: .*)$")


def _examples(config: pytest.Config) -> list[CodeExample]:
    docs_dir = Path(config.getoption("--docs-dir"))
    return list(find_examples(docs_dir))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "example" in metafunc.fixturenames:
        examples = _examples(metafunc.config)
        metafunc.parametrize(
            "example", examples, ids=[f"{e.path.name}:{e.start_line}" for e in examples]
        )


@pytest.fixture(scope="session")
def ruff_findings(pytestconfig: pytest.Config) -> dict[str, list[str]]:
    """What ruff says about each block, by the block's location."""
    examples = _examples(pytestconfig)
    findings: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="docs-lint-") as tmp:
        by_file = {}
        for index, example in enumerate(examples):
            path = Path(tmp, f"block{index}.py")
            path.write_text(example.source)
            by_file[path.name] = example
        done = subprocess.run(
            [find_ruff_bin(), "check", tmp, "--config", str(ROOT / "pyproject.toml"),
             *CONFIG.ruff_config(), "--output-format=concise", "--no-cache", "--quiet"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode not in (0, 1):
            raise RuntimeError(f"ruff failed ({done.returncode}):\n{done.stderr or done.stdout}")
        for line in done.stdout.splitlines():
            if match := FINDING.match(line):
                example = by_file[Path(match["file"]).name]
                row = int(match["row"]) + example.start_line
                findings.setdefault(_location(example), []).append(
                    f"{example.path}:{row}:{match['rest']}"
                )
    return findings


def _location(example: CodeExample) -> str:
    return f"{example.path}:{example.start_line}"


def test_python_block_is_lint_clean(
    example: CodeExample, ruff_findings: dict[str, list[str]]
) -> None:
    found = ruff_findings.get(_location(example), [])
    assert not found, "ruff failed:\n  " + "\n  ".join(found)
