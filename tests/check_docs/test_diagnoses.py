"""Each mistake of the rulebook is found with its own code, reason and fix, on the right lines."""

from __future__ import annotations

import ast

import pytest

from docs_harness.check_docs.diagnoses import REQUIRED, PageSettings, diagnose
from docs_harness.rules import RUNSERVER_NOSTATIC as NOSTATIC_APP
from docs_harness.rules import SECURITY_MIDDLEWARE as SECURITY
from docs_harness.rules import STATICFILES_APP
from docs_harness.rules import WHITENOISE_MIDDLEWARE as WHITENOISE

MIDDLEWARE = list(REQUIRED["MIDDLEWARE"])
APPS = list(REQUIRED["INSTALLED_APPS"])
WN_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
GOOD = {
    "MIDDLEWARE": [SECURITY, WHITENOISE, *MIDDLEWARE[1:]],
    "INSTALLED_APPS": APPS[:-1] + [NOSTATIC_APP, STATICFILES_APP],
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": WN_STORAGE},
    },
}


def _codes(line=(5, 2), **changes) -> list[str]:
    values = {**GOOD, **{k: v for k, v in changes.items() if k.isupper()}}
    for name in changes.get("drop", ()):
        values.pop(name)
    page = PageSettings(
        line,
        values,
        replaced_whole=frozenset(changes.get("whole", ())),
        urlconf=changes.get("urlconf"),
        installed=changes.get("installed"),
        names=frozenset(changes.get("names", {WHITENOISE})),
    )
    return [d.code for d in diagnose(page)]


def test_a_correct_set_up_has_no_diagnosis_on_any_line_it_targets():
    assert _codes() == []
    assert _codes((6, 1), whole={"MIDDLEWARE"}, installed=("django", "whitenoise[brotli]")) == []


def test_middleware_missing_out_of_order_or_appended_last():
    assert _codes(MIDDLEWARE=MIDDLEWARE, drop=["STORAGES"]) == ["WN101"]
    above = [WHITENOISE, *MIDDLEWARE]
    assert _codes(MIDDLEWARE=above) == ["WN103"]
    assert _codes(MIDDLEWARE=[*MIDDLEWARE, WHITENOISE]) == ["WN104"]


def test_the_last_place_is_named_in_the_reason():
    page = PageSettings((5, 2), {**GOOD, "MIDDLEWARE": [*MIDDLEWARE, WHITENOISE]})
    assert "last in MIDDLEWARE" in diagnose(page)[0].reason


def test_a_storage_backend_with_no_middleware():
    assert _codes(MIDDLEWARE=MIDDLEWARE) == ["WN102"]


def test_runserver_nostatic_below_staticfiles():
    assert _codes(INSTALLED_APPS=[*APPS, NOSTATIC_APP]) == ["WN105"]


def test_removed_whitenoise_apis():
    names = {WHITENOISE, "whitenoise.django.GzipManifestStaticFilesStorage"}
    assert _codes(names=names) == ["WN106"]


@pytest.mark.parametrize(
    "line, codes",
    [((3, 2), []), ((4, 1), []), ((4, 2), ["WN203"]), ((5, 0), ["WN203"]),
     ((5, 1), ["WN201"]), ((6, 1), ["WN201"])],
)  # fmt: skip
def test_staticfiles_storage_is_read_ignored_or_rejected_by_line(line, codes):
    both = _codes(line, STATICFILES_STORAGE=WN_STORAGE)
    if line < (4, 2):
        assert both == []  # STORAGES unknown there; the old setting is what counts
    else:
        assert both == codes


def test_storages_on_a_line_that_does_not_know_it():
    assert _codes((4, 1)) == ["WN202"]


def test_storages_without_default():
    assert _codes(STORAGES={"staticfiles": {"BACKEND": WN_STORAGE}}) == ["WN204"]


def test_a_list_where_a_dotted_path_is_needed():
    assert _codes((4, 1), STATICFILES_STORAGE=[WN_STORAGE], drop=["STORAGES"]) == ["WN205"]
    wrong = {"default": GOOD["STORAGES"]["default"], "staticfiles": {"BACKEND": [WN_STORAGE]}}
    assert _codes(STORAGES=wrong) == ["WN205"]


def test_a_list_pasted_whole_that_drops_djangos_entries():
    pasted = [SECURITY, WHITENOISE]
    assert _codes(MIDDLEWARE=pasted, whole={"MIDDLEWARE"}) == ["WN301"]
    assert _codes(MIDDLEWARE=pasted) == []  # shown with a placeholder: a merge, not a paste


def test_static_url_helpers_relied_on_for_production():
    urlconf = ast.parse("urlpatterns = [] + static(settings.STATIC_URL, document_root=X)")
    assert _codes(urlconf=urlconf) == ["WN302"]


def test_install_steps_that_never_install_whitenoise():
    assert _codes(installed=("django", "gunicorn")) == ["WN303"]
    assert _codes(installed=None) == []


def test_each_diagnosis_names_what_it_is_in():
    values = {**GOOD, "STATICFILES_STORAGE": ["x"], "MIDDLEWARE": [SECURITY, WHITENOISE]}
    page = PageSettings((6, 1), values, replaced_whole=frozenset({"MIDDLEWARE"}))
    assert [(d.code, d.about) for d in diagnose(page)] == [
        ("WN201", "STATICFILES_STORAGE"),
        ("WN205", "STATICFILES_STORAGE"),
        ("WN301", "MIDDLEWARE"),
    ]
