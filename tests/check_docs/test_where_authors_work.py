"""check-docs where authors work: the pre-commit hook (``.pre-commit-hooks.yaml``) and
the GitHub Action (``action.yml``), each run for real on a page with a known mistake.

Both install this package and Django from the package registry into fresh
environments, as a user's machine or runner does, so these tests need the network and
take a minute or two. Nothing is written to the user's home: pre-commit, pip and
virtualenv keep their files under pytest's temporary folders.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "mistakes" / "middleware-appended.md"  # WN104 on its line 9
CORRECT = FIXTURES / "correct.md"  # works on Django 4.2 and later
#: Generous: each run builds this package and installs Django from the registry.
INSTALL_TIMEOUT = 900
GIT_IDENTITY = ("-c", "user.name=check-docs tests", "-c", "user.email=tests@example.invalid")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def install_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose pip and virtualenv caches are temporary, shared by the module
    so the second install reuses the first one's downloads."""
    caches = tmp_path_factory.mktemp("caches")
    env = dict(os.environ)
    env.pop("SKIP", None)  # pre-commit would skip the hooks it names
    env.update(
        PIP_CACHE_DIR=str(caches / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(caches / "virtualenv"),
    )
    return env


# --- the pre-commit hook ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's working tree, committed into a repository of its own.

    ``try-repo`` on the checkout itself would take HEAD plus changes to tracked files
    only: a new file (the manifest, a new module) would be left out until committed.
    The snapshot takes what git would (tracked and untracked, minus ignored files)."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        source, target = ROOT / name, snapshot / name
        if not source.is_file() and not source.is_symlink():
            continue  # deleted in the working tree, or a submodule
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    _git("init", "-q", cwd=snapshot)
    _git("add", "-A", cwd=snapshot)
    _git(*GIT_IDENTITY, "commit", "-q", "-m", "working tree", cwd=snapshot)
    return snapshot


def _authors_repo(where: Path, pages: dict[str, Path]) -> Path:
    where.mkdir()
    _git("init", "-q", cwd=where)
    for name, page in pages.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, where / name)
    _git("add", "-A", cwd=where)
    return where


def _try_repo(
    authors: Path, hook_repo: Path, env: dict[str, str], home: Path
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "check-docs",
         "--all-files", "--verbose", "--color", "never"],
        cwd=authors, env={**env, "PRE_COMMIT_HOME": str(home)}, capture_output=True,
        text=True, timeout=INSTALL_TIMEOUT, check=False,
    )  # fmt: skip
    print(done.stdout, done.stderr, sep="\n")  # shown when an assertion fails
    return done


def test_hook_fails_on_a_broken_page_and_names_the_mistake(
    tmp_path: Path, hook_repo: Path, install_env: dict[str, str]
) -> None:
    authors = _authors_repo(
        tmp_path / "authors",
        {
            "docs/add-whitenoise.md": BROKEN,
            "docs/serve.md": CORRECT,
            # not Markdown, so the hook must not get it, mistake or not
            "notes/add-whitenoise.txt": BROKEN,
        },
    )
    done = _try_repo(authors, hook_repo, install_env, tmp_path / "pre-commit-home")

    assert done.returncode == 1
    assert "- hook id: check-docs" in done.stdout
    assert "- exit code: 1" in done.stdout  # broken, not a usage error (2)
    assert re.search(r"^docs/add-whitenoise\.md:9: broken: WN104 ", done.stdout, re.M)
    assert re.search(r"^docs/add-whitenoise\.md:3: works$", done.stdout, re.M)
    assert re.search(r"^docs/serve\.md:3: works$", done.stdout, re.M)
    assert "notes/" not in done.stdout


@pytest.mark.skipif(django.VERSION < (4, 2), reason="correct.md works on Django 4.2+")
def test_hook_passes_on_a_correct_page(
    tmp_path: Path, hook_repo: Path, install_env: dict[str, str]
) -> None:
    authors = _authors_repo(tmp_path / "authors", {"docs/serve.md": CORRECT})
    done = _try_repo(authors, hook_repo, install_env, tmp_path / "pre-commit-home")

    assert done.returncode == 0
    assert re.search(r"^check-docs \(Django Markdown\)\.+Passed$", done.stdout, re.M)
    assert re.search(r"^docs/serve\.md:9: works$", done.stdout, re.M)
    assert re.search(r"^Django \S+: 2 blocks, 0 broken$", done.stdout, re.M)


# --- the GitHub Action ------------------------------------------------------------------

INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
ACTION_PATH = re.compile(r"\$\{\{\s*github\.action_path\s*\}\}")


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    action = _action()
    assert action["runs"]["using"] == "composite"
    return action["runs"]["steps"]


def _run_step(
    step: dict, inputs: dict[str, str], env: dict[str, str], workspace: Path, runner_temp: Path
) -> subprocess.CompletedProcess[str]:
    """One step as a runner runs it: its env: with the expressions filled in, its script
    in bash with GitHub's flags, in the workspace."""
    step_env = {}
    for name, value in (step.get("env") or {}).items():
        value = INPUT.sub(lambda m: inputs[m[1]], ACTION_PATH.sub(str(ROOT), str(value)))
        assert "${{" not in value, f"{name}: an expression this test does not know"
        step_env[name] = value
    script = runner_temp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(
        [shutil.which("bash") or "/bin/bash", "--noprofile", "--norc", "-eo", "pipefail",
         str(script)],
        cwd=workspace, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False,
        env={**env, **step_env, "RUNNER_TEMP": str(runner_temp),
             "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(workspace)},
    )  # fmt: skip
    print(f"--- {step.get('name')}: exit {done.returncode}", done.stdout, done.stderr, sep="\n")
    return done


def _inputs(**given: str) -> dict[str, str]:
    """The action's inputs as a runner gives them: its defaults, then what a workflow sets."""
    defaults = {name: str(spec.get("default", "")) for name, spec in _action()["inputs"].items()}
    assert set(given) <= set(defaults), "an input the action does not declare"
    return {**defaults, **given}


def test_action_has_only_bash_run_steps_with_inputs_passed_through_env() -> None:
    steps = _steps()
    assert steps
    for step in steps:
        assert set(step) <= {"name", "shell", "env", "run"}, step.get("name")
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"{step['name']}: an expression in the script text"
    assert set(_action()["inputs"]) == {"paths", "django", "format", "python"}


def test_action_passes_paths_as_words_and_never_runs_them(tmp_path: Path) -> None:
    # A stand-in check-docs that prints the arguments it was given, one a line.
    bin_dir = tmp_path / "check-docs-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "check-docs").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (bin_dir / "check-docs").chmod(0o755)
    inputs = _inputs(paths="docs\n  README.md  $(touch injected) `touch injected`;x")
    done = _run_step(_steps()[-1], inputs, dict(os.environ), tmp_path, tmp_path)

    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "--format", "github", "--",
        "docs", "README.md", "$(touch", "injected)", "`touch", "injected`;x",
    ]  # fmt: skip
    assert not (tmp_path / "injected").exists()


def _stub(bin_dir: Path, name: str, body: str) -> None:
    (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "$STUB_LOG"\n{body}\n')
    (bin_dir / name).chmod(0o755)


@pytest.mark.parametrize(
    "have", [{"apt-get"}, {"apt-get", "bwrap"}, set()], ids=["missing", "present", "no-apt-get"]
)
def test_action_installs_bubblewrap_only_when_missing(tmp_path: Path, have: set[str]) -> None:
    # Only the stubs are on PATH: bash's builtins do the rest of the step.
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    _stub(bin_dir, "sudo", 'exec "$@"')
    for name in have:
        _stub(bin_dir, name, "")
    (step,) = [s for s in _steps() if "bwrap" in s["run"]]
    env = {"PATH": str(bin_dir), "STUB_LOG": str(log)}
    done = _run_step(step, _inputs(), env, tmp_path, tmp_path)

    assert done.returncode == 0
    calls = log.read_text().splitlines() if log.exists() else []
    if have == {"apt-get"}:
        assert "apt-get install -y bubblewrap" in calls
        if os.geteuid() != 0:
            assert "sudo apt-get install -y bubblewrap" in calls
    else:
        assert calls == []
    if not have:
        assert "::warning" in done.stdout and "bwrap" in done.stdout


def test_action_annotates_the_broken_line(tmp_path: Path, install_env: dict[str, str]) -> None:
    workspace, runner_temp = tmp_path / "workspace", tmp_path / "runner-temp"
    (workspace / "docs").mkdir(parents=True)
    runner_temp.mkdir()
    shutil.copy(BROKEN, workspace / "docs" / "add-whitenoise.md")
    major, minor = django.VERSION[:2]
    # paths and format keep their defaults: docs, github.
    inputs = _inputs(django=f"django~={major}.{minor}.0", python=sys.executable)
    steps = _steps()
    for step in steps[:-1]:
        assert _run_step(step, inputs, install_env, workspace, runner_temp).returncode == 0
    done = _run_step(steps[-1], inputs, install_env, workspace, runner_temp)

    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith("::error file=docs/add-whitenoise.md,line=9,")
    # before 4.2 the page's STORAGES is a second mistake on the same block (WN202)
    assert re.search(rf"title=check-docs WN104( WN\d+)* \(Django {major}\.{minor}\.", errors[0])
    assert "::WN104 WhiteNoise sits last in MIDDLEWARE" in errors[0]
