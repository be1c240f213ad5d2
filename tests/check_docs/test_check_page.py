"""Pages checked on the installed Django line, in real startproject projects."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import django
import pytest

from docs_harness.check_docs import sandbox
from docs_harness.check_docs.page_check import BROKEN, NOT_CHECKABLE, WORKS, check_page
from docs_harness.harness.project import ProjectFactory
from docs_harness.rules import RULES
from docs_harness.versions import parse_range

FIXTURES = Path(__file__).parent / "fixtures"
LINE = django.VERSION[:2]
_RUNS = itertools.count()


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("checker")
    return ProjectFactory(workdir, sandbox.make(workdir))


def _verdicts(factory, name):
    path = FIXTURES / name
    page = f"{name[:-3].replace('/', '-')}-{next(_RUNS)}"
    return {v.block.line: v for v in check_page(path, path.read_text(), factory, page)}


@pytest.mark.skipif(LINE < (4, 2), reason="the page targets Django 4.2+")
def test_a_correct_page_works_on_the_lines_it_targets(factory):
    verdicts = _verdicts(factory, "correct.md")
    assert {line: v.status for line, v in verdicts.items()} == {3: WORKS, 9: WORKS}


def test_middleware_appended_last_is_broken_on_the_block_that_appends_it(factory):
    verdicts = _verdicts(factory, "mistakes/middleware-appended.md")
    assert verdicts[3].status == WORKS
    assert verdicts[9].status == BROKEN
    assert verdicts[9].reason.startswith("WN104 WhiteNoise sits last in MIDDLEWARE")
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
        3: (WORKS, ""),  # env() with a default of its own needs no stand-in
        19: (WORKS, ""),
    }


#: A fixture says what check-docs must find, at its end (so block lines stay put):
#: ``<!-- expect: LINE CODE... [on DJANGO RANGE] -->``; a block not named works.
EXPECT = re.compile(
    r"^<!-- expect: (?P<line>\d+) (?P<codes>(?:WN\d{3} ?)+?)(?: on (?P<on>.+?))? -->$", re.M
)
MISTAKES = sorted((FIXTURES / "mistakes").glob("*.md"))


def expected_codes(text: str, line: tuple[int, int]) -> dict[int, tuple[str, ...]]:
    expected: dict[int, tuple[str, ...]] = {}
    for match in EXPECT.finditer(text):
        if match["on"] is None or parse_range(match["on"]).contains(line):
            block = int(match["line"])
            expected[block] = (*expected.get(block, ()), *match["codes"].split())
    return expected


def test_each_mistake_of_the_rulebook_that_check_docs_finds_has_a_fixture():
    shown = {code for page in MISTAKES for code in re.findall(r"WN\d{3}", page.read_text())}
    assert {r.code for r in RULES if "check-docs" in r.found_by} <= shown


@pytest.mark.parametrize("fixture", [page.name for page in MISTAKES])
def test_each_mistake_is_diagnosed_on_its_block_with_a_reason_and_a_fix(factory, fixture):
    verdicts = _verdicts(factory, f"mistakes/{fixture}")
    expected = expected_codes((FIXTURES / "mistakes" / fixture).read_text(), LINE)
    got = {line: v.checks for line, v in verdicts.items() if v.status == BROKEN}
    assert got == expected, {line: v.reason for line, v in verdicts.items()}
    for line in expected:
        assert verdicts[line].reason and verdicts[line].fix
    assert all(v.status == WORKS for line, v in verdicts.items() if line not in expected)


def test_a_failed_system_check_is_named_by_its_own_message(factory):
    verdicts = _verdicts(factory, "mistakes/check-fails.md")
    assert "(staticfiles.E002) The STATICFILES_DIRS setting should not contain" in (
        verdicts[5].reason
    )


def test_a_page_is_read_as_its_reader_reads_it(factory):
    verdicts = _verdicts(factory, "as-meant.md")
    said = {line: (v.status, v.reason) for line, v in verdicts.items()}
    # installing WhiteNoise is told in a sentence, so the pip line is no mistake
    assert said[6] == (WORKS, "")
    assert said[12] == (NOT_CHECKABLE, "a Procfile")
    assert said[19] == (NOT_CHECKABLE, "a Dockerfile")
    assert said[27] == (NOT_CHECKABLE, "YAML")
    assert said[35] == (NOT_CHECKABLE, "environment variables (.env)")
    # a stand-in only where the page gives no default of its own
    assert said[42] == (
        WORKS,
        "with stand-in values for the environment variables DJANGO_SECRET_KEY",
    )
    assert said[51] == (WORKS, "")  # "..." in the list, with no comma after it
    assert said[62] == (WORKS, "")  # try: from .local import * / an elided except body
    assert said[71][0] == NOT_CHECKABLE and "wsgi.py" in said[71][1]
    assert said[82][0] == NOT_CHECKABLE


def test_without_the_sentence_the_install_step_is_a_mistake(factory, tmp_path):
    text = (FIXTURES / "as-meant.md").read_text()
    page = tmp_path / "as-meant.md"
    page.write_text(
        text.replace(", and remember to add `whitenoise` to your requirements.txt", ".")
    )
    verdicts = {v.block.line: v for v in check_page(page, page.read_text(), factory, "no-prose")}
    assert verdicts[6].status == BROKEN and verdicts[6].checks == ("WN303",)
