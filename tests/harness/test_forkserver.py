"""A command forked from the warm interpreter behaves as it does in a new one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docs_harness.harness import forkserver, processes
from docs_harness.harness.project import ProjectFactory, run_command

CASES = {
    "exit status and argv": "import sys; print(sys.argv, repr(sys.path[0])); sys.exit(3)",
    "directory and environment": "import os; print(os.getcwd(), os.environ['DOCS_PROBE'])",
    "stdin": "import sys; print(sys.stdin.read().upper())",
    "traceback": "def f():\n    raise ValueError('boom')\nf()",
    "exit with a message": "import sys; sys.exit('bye')",
    "stderr and stdout interleaved": (
        "import sys\nprint('out', flush=True)\nprint('err', file=sys.stderr)\nprint('out2')"
    ),
}


def both_ways(monkeypatch, argv: list[str], cwd: Path, env: dict[str, str], stdin: str = ""):
    results = []
    for forked in (True, False):
        monkeypatch.setattr(forkserver, "ENABLED", forked)
        results.append(run_command(argv, cwd=cwd, env=env, stdin=stdin))
    return results


@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_python_c_gives_the_same_status_and_output(monkeypatch, tmp_path, source):
    env = {**os.environ, "DOCS_PROBE": "probe", "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-c", source, "first", "second"]
    forked, fresh = both_ways(monkeypatch, argv, tmp_path, env, stdin="hello\n")
    assert (forked.returncode, forked.output) == (fresh.returncode, fresh.output)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return ProjectFactory(tmp_path_factory.mktemp("forked")).new("project")


@pytest.mark.parametrize(
    "args",
    [("check",), ("check", "--deploy"), ("no-such-command",), ("diffsettings",)],
    ids=" ".join,
)
def test_manage_py_gives_the_same_status_and_output(monkeypatch, project, args):
    forked, fresh = both_ways(monkeypatch, project.manage_argv(args), project.root, project.env())
    assert (forked.returncode, forked.output) == (fresh.returncode, fresh.output)


def test_each_fork_reads_the_settings_as_they_are_now(project):
    project.apply_settings('STATIC_URL = "/first/"')
    first = project.declared_settings()["STATIC_URL"]
    project.apply_settings('STATIC_URL = "/second/"')
    assert (first, project.declared_settings()["STATIC_URL"]) == ("/first/", "/second/")


def fork(tmp_path: Path, source: str, timeout: float) -> tuple[int, str]:
    return forkserver.run(
        [sys.executable, "-c", source],
        kind="forked command",
        cwd=tmp_path,
        env=dict(os.environ),
        stdin="",
        timeout=timeout,
    )


def test_a_fork_that_runs_too_long_is_killed_and_reported_as_a_timeout(tmp_path):
    before = processes.started["forked command"]
    with pytest.raises(subprocess.TimeoutExpired):
        fork(tmp_path, "import time; time.sleep(60)", timeout=1)
    assert processes.started["forked command"] == before + 1
    # The server it ran in answers the next command; no new one is started.
    servers = processes.started["interpreter (fork server)"]
    assert fork(tmp_path, "print('next')", timeout=30) == (0, "next\n")
    assert processes.started["interpreter (fork server)"] == servers


def test_a_command_with_other_interpreter_settings_runs_in_an_interpreter_started_with_them(
    tmp_path,
):
    env = {**os.environ, "PYTHONOPTIMIZE": "1"}
    source = "import sys; print(sys.flags.optimize)"
    servers = processes.started["interpreter (fork server)"]
    result = run_command([sys.executable, "-c", source], cwd=tmp_path, env=env)
    assert result.output == "1\n"  # as a new interpreter started with it would say
    assert processes.started["interpreter (fork server)"] == servers + 1
