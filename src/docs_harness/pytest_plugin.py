"""pytest wiring for running a folder of Markdown pages: options, the shared page runs,
the report.

A plugin module, not a conftest: ``tests/docs/conftest.py`` opts into it, so only the
runs that prove the pages load it. Paths default to the rootdir pytest found
(``docs/`` and ``build/examples-report`` beside ``pyproject.toml``).
"""

from __future__ import annotations

import atexit
import platform
import signal
from pathlib import Path

import pytest

from .harness.pages import PageRunner
from .harness.servers import stop_all
from .harness.updates import apply_updates
from .report import build_report, report_path, summary_line, write_report
from .verdicts import Environment

__all__ = [
    "RUNNER_KEY",
    "page_runner",
    "pytest_addoption",
    "pytest_configure",
    "pytest_report_header",
    "pytest_terminal_summary",
]

RUNNER_KEY = pytest.StashKey[PageRunner]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("docs harness")
    group.addoption(
        "--docs-dir",
        default="docs",
        help="folder of Markdown pages whose blocks to run (default: docs/ in the rootdir)",
    )
    group.addoption(
        "--report-dir",
        default="build/examples-report",
        help="where django-<X.Y>.json goes (default: build/examples-report in the rootdir)",
    )


@pytest.fixture(scope="session")
def page_runner(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> PageRunner:
    return pytestconfig.stash[RUNNER_KEY].started(tmp_path_factory.mktemp("projects"))


def _stop_servers_and_exit(signum: int, frame: object) -> None:
    stop_all()
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def _in_rootdir(config: pytest.Config, option: str) -> Path:
    return (config.rootpath / config.getoption(option)).resolve()


def pytest_configure(config: pytest.Config) -> None:
    # A cancelled run (SIGTERM) skips `finally` blocks; stop our servers anyway.
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _stop_servers_and_exit)
    config.stash[RUNNER_KEY] = PageRunner(
        _in_rootdir(config, "--docs-dir"), config.rootpath, Environment.installed()
    )


def pytest_report_header(config: pytest.Config) -> str:
    runner = config.stash[RUNNER_KEY]
    return (
        f"docs harness: {runner.docs_dir} on {runner.environment.describe()} ({platform.machine()})"
    )


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    runner = config.stash[RUNNER_KEY]
    verdicts = runner.finished_verdicts()
    if not verdicts:
        return
    path = report_path(_in_rootdir(config, "--report-dir"), runner.environment)
    write_report(path, build_report(runner.environment, verdicts))
    terminalreporter.write_line(summary_line(runner.environment, verdicts))
    terminalreporter.write_line(f"report: {path}")
    # pytest-examples defines --update-examples; it means the same here.
    if config.getoption("--update-examples", default=False):
        updates = [update for verdict in verdicts for update in verdict.updates]
        for line in apply_updates(config.rootpath, updates):
            terminalreporter.write_line(line)
