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
    page = name[:-3].replace("/", "-")
    return {v.block.line: v for v in check_page(path, path.read_text(), factory, page)}


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


def test_placeholders_and_undefined_names_are_read_as_a_reader_reads_them(factory):
    verdicts = _verdicts(factory, "placeholders.md")
    assert {line: (v.status, v.reason) for line, v in verdicts.items()} == {
        3: (WORKS, ""),
        19: (WORKS, ""),
    }


def _storage_codes(line, *first):
    """What the old setting alone gets on each line, after the page's own mistakes."""
    return (*first, "storage-ignored") if line >= (5, 1) else first


#: fixture -> {block line: diagnosis codes}, for the installed line. A block not named
#: works.
MISTAKES = {
    "middleware-missing.md": lambda line: {3: ("middleware-missing",)},
    "middleware-above-security.md": lambda line: {3: ("middleware-above-security",)},
    "nostatic-below-staticfiles.md": lambda line: {3: ("nostatic-below-staticfiles",)},
    "removed-api.md": lambda line: {3: _storage_codes(line, "removed-api")},
    "staticfiles-storage.md": lambda line: {3: c} if (c := _storage_codes(line)) else {},
    "both-storage-settings.md": lambda line: (
        {3: ("storage-rejected",)} if (4, 2) <= line < (5, 1)
        else {3: ("storage-ignored",)} if line >= (5, 1) else {}
    ),
    "storages-without-default.md": lambda line: (
        {3: ("storages-without-default",)} if line >= (4, 2) else {3: ("storage-ignored",)}
    ),
    "wrong-type.md": lambda line: {3: _storage_codes(line, "wrong-type")},
    "pasted-whole.md": lambda line: {3: ("pasted-whole",)},
    "storage-without-middleware.md": lambda line: (
        {3: ("storage-without-middleware",)} if line >= (4, 2)
        else {3: ("storage-without-middleware", "storage-ignored")}
    ),
    "static-helper.md": lambda line: {11: ("static-helper",)},
    "whitenoise-not-installed.md": lambda line: {3: ("whitenoise-not-installed",)},
}  # fmt: skip


@pytest.mark.parametrize("fixture", sorted(MISTAKES))
def test_each_mistake_is_diagnosed_on_its_block_with_a_reason_and_a_fix(factory, fixture):
    verdicts = _verdicts(factory, f"mistakes/{fixture}")
    expected = MISTAKES[fixture](LINE)
    got = {line: v.codes for line, v in verdicts.items() if v.status == BROKEN}
    assert got == expected, {line: v.reason for line, v in verdicts.items()}
    for line in expected:
        assert verdicts[line].reason and verdicts[line].fix
    assert all(v.status == WORKS for line, v in verdicts.items() if line not in expected)
