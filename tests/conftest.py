"""pytest wiring for the docs harness: options, the shared page runs, the report."""

from __future__ import annotations

import atexit
import platform
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `tests.harness` imports under any rootdir

from tests.harness.pages import PageRunner, environment_under_test  # noqa: E402
from tests.harness.report import build_report, report_path, summary_line, write_report  # noqa: E402
from tests.harness.servers import stop_all  # noqa: E402
from tests.harness.updates import apply_updates  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("docs harness")
    group.addoption(
        "--docs-dir",
        default=str(ROOT / "docs"),
        help="folder of Markdown pages whose blocks to run (default: docs/)",
    )
    group.addoption(
        "--report-dir",
        default=str(ROOT / "build" / "examples-report"),
        help="where django-<X.Y>.json goes (default: build/examples-report)",
    )


@pytest.fixture(scope="session")
def page_runner(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> PageRunner:
    return pytestconfig.stash[RUNNER_KEY].started(tmp_path_factory.mktemp("projects"))


RUNNER_KEY = pytest.StashKey[PageRunner]()


def _stop_servers_and_exit(signum: int, frame: object) -> None:
    stop_all()
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    # A cancelled run (SIGTERM) skips `finally` blocks; stop our servers anyway.
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _stop_servers_and_exit)
    docs_dir = Path(config.getoption("--docs-dir")).resolve()
    config.stash[RUNNER_KEY] = PageRunner(
        docs_dir, ROOT, ROOT / "examples", environment_under_test()
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
    path = report_path(Path(config.getoption("--report-dir")), runner.environment)
    write_report(path, build_report(runner.environment, verdicts))
    terminalreporter.write_line(summary_line(runner.environment, verdicts))
    terminalreporter.write_line(f"report: {path}")
    # pytest-examples defines --update-examples; it means the same here.
    if config.getoption("--update-examples", default=False):
        updates = [update for verdict in verdicts for update in verdict.updates]
        for line in apply_updates(ROOT, updates):
            terminalreporter.write_line(line)
