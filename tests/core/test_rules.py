"""The rulebook: one entry per mistake, stable codes, each found on its own lines."""

from __future__ import annotations

import re

from docs_harness.rules import RULES, StaticSetup, find_mistakes, rule

WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"


def test_codes_and_names_are_unique_and_well_formed():
    assert len({r.code for r in RULES}) == len({r.name for r in RULES}) == len(RULES)
    assert all(re.fullmatch(r"WN[1-3]\d\d", r.code) for r in RULES)


def _setup(line, middleware=(SECURITY, WHITENOISE), storage_settings=(), backend=""):
    return StaticSetup(line, middleware, (), frozenset(storage_settings), backend)


def test_a_mistake_is_found_only_on_the_lines_where_it_is_one():
    both = ("STORAGES", "STATICFILES_STORAGE")
    codes = {line: [f.code for f in find_mistakes(_setup(line, storage_settings=both))]
             for line in [(3, 2), (4, 2), (5, 0), (5, 1), (6, 1)]}  # fmt: skip
    assert codes == {
        (3, 2): [], (4, 2): ["WN203"], (5, 0): ["WN203"], (5, 1): ["WN201"], (6, 1): ["WN201"],
    }  # fmt: skip
    assert rule("storage-settings-rejected").lines.contains((4, 2))


def test_the_detail_a_finding_names_fills_its_reason_and_braces_in_a_fix_stay():
    [finding] = find_mistakes(_setup((5, 2), middleware=(SECURITY, "x.Y", WHITENOISE)))
    assert finding.message.startswith("WN104 WhiteNoise sits last in MIDDLEWARE: ")
    assert '{"BACKEND": ' in rule("storages-without-default").fix
