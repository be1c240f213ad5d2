"""The tutorial's finished project in examples/tutorial runs on the Django line
installed here, and holds the files the tutorial writes.

Like a page, these checks are kept in the result store once they have all passed, and
reused while their key (examples/, the package, installed versions, Python, curl, OS,
and here the tutorial and this file) is unchanged.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from docs_harness.harness import fetch
from docs_harness.harness.extract import extract_blocks
from docs_harness.harness.http_checks import FOREVER, security_headers, served_by_whitenoise
from docs_harness.harness.project import Project, run_command
from docs_harness.harness.servers import serve

ROOT = Path(__file__).resolve().parents[2]
FINISHED = ROOT / "examples" / "tutorial"
TUTORIAL = ROOT / "docs" / "tutorial" / "deploy-with-whitenoise.md"


#: The result store's name for these checks, and their inputs besides the store's own.
STORED_AS = Path("examples/tutorial")
INPUTS = TUTORIAL.read_bytes() + Path(__file__).read_bytes()


@dataclass
class Stored:
    #: When these checks last all passed with the same key: their pass is reused
    reused_from: str | None
    passed: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def stored(page_runner, request: pytest.FixtureRequest) -> Iterator[Stored]:
    store = page_runner.store
    state = Stored(store.passed_before(STORED_AS, INPUTS) if store else None)
    if store and state.reused_from:
        store.reused.append(f"{STORED_AS}: passed on {state.reused_from}, reused")
    yield state
    checks = {item.originalname for item in request.node.collect() if hasattr(item, "originalname")}
    if store and not state.reused_from and state.passed == checks:
        store.put(STORED_AS, INPUTS, [])


@pytest.fixture
def check(stored: Stored, request: pytest.FixtureRequest) -> Iterator[bool]:
    """False when this check's pass is reused; else it runs, and a pass is noted."""
    if stored.reused_from:
        yield False
        return
    failed_before = request.session.testsfailed
    yield True
    if request.session.testsfailed == failed_before:
        stored.passed.add(request.node.originalname)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("finished") / "mysite"
    shutil.copytree(FINISHED, root)
    project = Project(root, "")
    collected = project.manage(("collectstatic", "--noinput"))
    assert collected.ok, collected.output
    return project


def test_the_tutorial_writes_the_files_of_the_finished_project(check):
    if not check:
        return
    file_blocks = [
        block
        for block in extract_blocks(TUTORIAL, TUTORIAL.read_text())
        if block.options.get("title", "settings.py") != "settings.py"
    ]
    assert file_blocks, "the tutorial writes no file"
    for block in file_blocks:
        written = FINISHED / block.options["title"]
        assert written.is_file(), f"{block.location}: {written} is missing"
        assert written.read_text() == block.source, f"{block.location} differs from {written}"


def test_the_finished_project_serves_its_stylesheet_hashed_compressed_and_cached(check, request):
    if not check:
        return
    project = request.getfixturevalue("project")
    printed = project.manage(
        (
            "shell",
            "-c",
            "from django.templatetags.static import static; print(static('static_demo/site.css'))",
        )
    )
    hashed = re.search(r"/static/static_demo/site\.[0-9a-f]{12}\.css", printed.output)
    assert hashed, printed.output
    argv = partial(project.gunicorn_argv, app="mysite.wsgi")
    with serve(
        argv, cwd=project.root, env=project.env(), log_path=project.root / "gunicorn.log"
    ) as server:
        get = partial(fetch.request, server.port)
        url = hashed.group(0)
        response = get(url)
        for check in (served_by_whitenoise(response, url), security_headers(response, url)):
            assert check.ok, f"{check.name}: expected {check.expected}, got {check.got}"
        assert response.header("cache-control") == FOREVER
        gzipped = get(url, headers={"Accept-Encoding": "gzip"})
        assert gzipped.header("content-encoding") == "gzip", gzipped.describe()
        assert get("/static/static_demo/site.css").header("cache-control") == "max-age=60, public"


def test_the_finished_project_passes_the_system_checks(check, request):
    if not check:
        return
    project = request.getfixturevalue("project")
    result = run_command(
        [sys.executable, "manage.py", "check", "--fail-level", "ERROR"],
        cwd=project.root,
        env=project.env(),
    )
    assert result.ok, result.output
