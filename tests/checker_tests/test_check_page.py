"""Pages checked on the installed Django line, in real startproject projects."""

from __future__ import annotations

from pathlib import Path

import django
import pytest

from tests.checker.page_check import BROKEN, NOT_CHECKABLE, WORKS, check_page
from tests.harness.project import ProjectFactory

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
LINE = django.VERSION[:2]


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    return ProjectFactory(tmp_path_factory.mktemp("checker"), ROOT / "examples")


def _verdicts(factory, name):
    path = FIXTURES / name
    return {v.block.line: v for v in check_page(path, path.read_text(), factory, name[:-3])}


@pytest.mark.skipif(LINE < (4, 2), reason="the page targets Django 4.2+")
def test_a_correct_page_works_on_the_lines_it_targets(factory):
    verdicts = _verdicts(factory, "correct.md")
    assert {line: v.status for line, v in verdicts.items()} == {3: WORKS, 9: WORKS}


def test_middleware_appended_last_is_broken_on_the_block_that_appends_it(factory):
    verdicts = _verdicts(factory, "middleware-appended.md")
    assert verdicts[3].status == WORKS
    assert verdicts[9].status == BROKEN
    assert verdicts[9].reason.startswith("WhiteNoise sits last in MIDDLEWARE")
    assert verdicts[9].fix.startswith('Move "whitenoise.middleware.WhiteNoiseMiddleware"')


def test_real_world_shapes_get_a_verdict_each_without_crashing(factory):
    verdicts = _verdicts(factory, "shapes.md")
    assert verdicts[29].status == NOT_CHECKABLE and "directive" in verdicts[29].reason
    assert verdicts[46].status == NOT_CHECKABLE
    assert verdicts[35].status == WORKS  # indented block using BASE_DIR from startproject
    assert verdicts[56].status == WORKS  # the unclosed fence at the end
