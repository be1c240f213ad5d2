"""pytest wiring for running a folder of Markdown pages: options, the shared page runs,
the report.

A plugin module, not a conftest: ``tests/docs/conftest.py`` opts into it, so only the
runs that prove the pages load it. Paths default to the rootdir pytest found
(``docs/`` and ``build/examples-report`` beside ``pyproject.toml``).
"""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from .harness import processes
from .harness.pages import PageRunner
from .harness.profile import write_profile
from .harness.result_store import ResultStore, environment_key
from .harness.updates import apply_updates
from .records import build_records, records_path, write_records
from .report import build_report, report_path, summary_lines, write_report
from .verdicts import Environment
from .versions import format_line

__all__ = [
    "RUNNER_KEY",
    "page_runner",
    "pytest_addoption",
    "pytest_collection_modifyitems",
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
    group.addoption(
        "--results-dir",
        default=".docs-results",
        help="verdicts kept between runs, one folder per line (default: .docs-results)",
    )
    group.addoption(
        "--fresh",
        action="store_true",
        help="run every page, ignoring (and then refreshing) the stored verdicts",
    )


@pytest.fixture(scope="session")
def page_runner(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> PageRunner:
    return pytestconfig.stash[RUNNER_KEY].started(tmp_path_factory.mktemp("projects"))


def _in_rootdir(config: pytest.Config, option: str) -> Path:
    return (config.rootpath / config.getoption(option)).resolve()


def pytest_configure(config: pytest.Config) -> None:
    # Children stop with the run however it ends; the run stops with nox if nox is killed.
    processes.stop_on_signals()
    environment = Environment.installed()
    store = ResultStore(
        _in_rootdir(config, "--results-dir") / f"django-{format_line(environment.line)}",
        environment_key(config.rootpath / "examples"),
        fresh=config.getoption("--fresh"),
    )
    config.stash[RUNNER_KEY] = PageRunner(
        _in_rootdir(config, "--docs-dir"), config.rootpath, environment, store
    )


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    runner = config.stash[RUNNER_KEY]
    chosen = {
        item.callspec.params["block"].path
        for item in items
        if hasattr(item, "callspec") and "block" in item.callspec.params
    }
    runner.select(chosen)
    if runner.complete:
        # Until this run finishes, no report may claim it did.
        report = report_path(_in_rootdir(config, "--report-dir"), runner.environment)
        report.unlink(missing_ok=True)
        records_path(report.parent, format_line(runner.environment.line)).unlink(missing_ok=True)


def pytest_report_header(config: pytest.Config) -> str:
    runner = config.stash[RUNNER_KEY]
    return (
        f"docs harness: {runner.docs_dir} on {runner.environment.describe()} ({platform.machine()})"
    )


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    runner = config.stash[RUNNER_KEY]
    for warning in runner.store.warnings if runner.store else ():
        terminalreporter.write_line(f"warning: {warning}", yellow=True)
    for note in runner.store.reused if runner.store else ():
        terminalreporter.write_line(note)
    verdicts = runner.finished_verdicts()
    if not verdicts:
        return
    path = report_path(_in_rootdir(config, "--report-dir"), runner.environment)
    for line in summary_lines(runner.environment, verdicts):
        terminalreporter.write_line(line)
    if runner.complete:
        write_report(path, build_report(runner.environment, verdicts))
        records = [(v.record, v.reused) for v in verdicts if v.record is not None]
        write_records(
            records_path(path.parent, format_line(runner.environment.line)),
            build_records(runner.environment, records),
        )
        write_profile(
            path.with_name(f"profile-{path.name}"),
            runner.pages,
            processes.started,
            processes.seconds,
        )
        terminalreporter.write_line(f"report: {path}")
    else:
        # The site reads a line's report as the whole docs; a part of them would hide
        # the rest, so the last full report stays.
        terminalreporter.write_line(
            f"report: not written ({len(runner.selected)} of {len(runner.pages)} pages "
            f"selected); {path} is still the last full run's"
        )
    # pytest-examples defines --update-examples; it means the same here.
    if config.getoption("--update-examples", default=False):
        updates = [update for verdict in verdicts for update in verdict.updates]
        for line in apply_updates(config.rootpath, updates):
            terminalreporter.write_line(line)
