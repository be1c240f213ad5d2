"""A settings snippet lands in settings.py the way a reader means it."""

from __future__ import annotations

import ast

import pytest

from docs_harness.harness.settings_merge import SnippetError, apply_snippet, delete_settings

SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
]
"""
DEFAULTS = {
    "STORAGES": repr(
        {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ),
}


def settings_after(snippet: str) -> dict:
    source = apply_snippet(SETTINGS, snippet, DEFAULTS.get).source
    namespace: dict = {"__file__": "/srv/mysite/mysite/settings.py"}
    exec(compile(source, "settings.py", "exec"), namespace)
    return namespace


def test_shown_neighbours_stay_neighbours():
    merged = settings_after("""
MIDDLEWARE = [
    # ...
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ...
]
""")["MIDDLEWARE"]
    assert merged == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]


def test_an_item_shown_above_an_existing_one_goes_directly_above_it():
    merged = settings_after("""
INSTALLED_APPS = [
    ...,
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    ...,
]
""")["INSTALLED_APPS"]
    assert merged == [
        "django.contrib.admin",
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles",
        "demo",
    ]


@pytest.mark.parametrize(
    "comment",
    ["# other values follow", "# your other middleware", "# Rest of the middleware", "# etc."],
)
def test_comments_that_point_at_the_other_entries_are_placeholders(comment):
    merged = settings_after(f"""
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    {comment}
]
""")["MIDDLEWARE"]
    assert merged[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert len(merged) == 4


def test_a_comment_that_does_not_point_at_other_entries_stays_a_comment():
    merged = settings_after("""
MIDDLEWARE = [
    # WhiteNoise goes directly below SecurityMiddleware
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
]
""")["MIDDLEWARE"]
    assert len(merged) == 2


def test_a_run_after_a_placeholder_with_nothing_known_goes_last():
    merged = settings_after('MIDDLEWARE = [\n    # ...\n    "a.B",\n]\n')["MIDDLEWARE"]
    assert merged[-1] == "a.B" and len(merged) == 4


def test_a_run_before_a_placeholder_goes_first():
    merged = settings_after('MIDDLEWARE = [\n    "a.B",\n    # ...\n]\n')["MIDDLEWARE"]
    assert merged[0] == "a.B" and len(merged) == 4


def test_a_dict_with_a_placeholder_keeps_djangos_defaults():
    storages = settings_after("""
STORAGES = {
    # ...
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
""")["STORAGES"]
    assert storages == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def test_a_dict_without_a_placeholder_replaces_the_whole_setting():
    storages = settings_after('STORAGES = {"staticfiles": {"BACKEND": "x.Y"}}\n')["STORAGES"]
    assert storages == {"staticfiles": {"BACKEND": "x.Y"}}


def test_a_bare_ellipsis_in_a_dict_is_a_placeholder():
    storages = settings_after('STORAGES = {..., "extra": {"BACKEND": "x.Y"}}\n')["STORAGES"]
    assert set(storages) == {"default", "staticfiles", "extra"}


def test_a_list_without_a_placeholder_replaces_the_whole_setting():
    assert settings_after('MIDDLEWARE = ["only.This"]\n')["MIDDLEWARE"] == ["only.This"]


def test_other_statements_run_as_in_a_settings_file():
    merged = settings_after('MIDDLEWARE.append("whitenoise.middleware.WhiteNoiseMiddleware")\n')
    assert merged["MIDDLEWARE"][-1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_expressions_keep_their_meaning():
    namespace = settings_after('STATIC_ROOT = BASE_DIR / "staticfiles"\n')
    assert str(namespace["STATIC_ROOT"]) == "/srv/mysite/staticfiles"


def test_imports_go_to_the_top_so_replaced_settings_can_use_them():
    source = apply_snippet(SETTINGS, "import os\nMIDDLEWARE = [os.sep]\n", DEFAULTS.get).source
    body = ast.parse(source).body
    assert [type(s).__name__ for s in body[:2]] == ["ImportFrom", "Import"]


def test_the_touched_names_say_which_settings_a_block_changed():
    applied = apply_snippet(
        SETTINGS, 'import os\nMIDDLEWARE.append("x")\nDEBUG = False\n', DEFAULTS.get
    )
    assert applied.touched == {"MIDDLEWARE", "DEBUG"}


def test_a_placeholder_against_a_value_of_another_shape_is_an_error():
    with pytest.raises(SnippetError, match="cannot be merged"):
        apply_snippet(SETTINGS, "MIDDLEWARE = {..., 'a': 1}\n", DEFAULTS.get)


def test_a_broken_snippet_says_where():
    with pytest.raises(SnippetError, match="not valid Python") as error:
        apply_snippet(SETTINGS, "A = 1\nB = [\n", DEFAULTS.get)
    assert error.value.line == 2


@pytest.mark.parametrize(
    "placeholder", ["# ...", "# ... other middleware", "# your other middleware …", "...,"]
)
def test_placeholder_comments_are_read_in_their_common_forms(placeholder):
    merged = settings_after(
        f'MIDDLEWARE = [\n    {placeholder}\n    "django.middleware.security.SecurityMiddleware",\n'
        f'    "whitenoise.middleware.WhiteNoiseMiddleware",\n    {placeholder}\n]\n'
    )["MIDDLEWARE"]
    assert len(merged) == 4 and merged[1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_a_comment_after_an_item_is_not_a_placeholder():
    merged = settings_after(
        "MIDDLEWARE = [\n    # ...\n"
        '    "django.middleware.security.SecurityMiddleware",  # ... keep first\n'
        '    "whitenoise.middleware.WhiteNoiseMiddleware",\n    # ...\n]\n'
    )["MIDDLEWARE"]
    assert merged[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_an_ellipsis_value_keeps_the_value_already_there():
    storages = settings_after(
        'STORAGES = {\n    "default": ...,\n    "staticfiles": {"BACKEND": "x.Y"},\n}\n'
    )["STORAGES"]
    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_dict_in_a_list_edits_the_dict_it_stands_for():
    settings = (
        SETTINGS + 'TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",'
        ' "DIRS": [], "APP_DIRS": True}]\n'
    )
    source = apply_snippet(
        settings,
        'TEMPLATES = [\n    {\n        # ...\n        "DIRS": [BASE_DIR / "templates"],\n    },\n]\n',
        DEFAULTS.get,
    ).source
    namespace: dict = {"__file__": "/srv/mysite/mysite/settings.py"}
    exec(compile(source, "settings.py", "exec"), namespace)
    [template] = namespace["TEMPLATES"]
    assert template["APP_DIRS"] is True and str(template["DIRS"][0]) == "/srv/mysite/templates"


def test_windows_line_endings_are_read_like_any_other():
    snippet = 'MIDDLEWARE = [\r\n    # ...\r\n    "a.B",\r\n]\r\n'
    assert settings_after(snippet)["MIDDLEWARE"][-1] == "a.B"


def test_a_deleted_setting_leaves_the_file_without_it():
    settings = 'A = 1\n\nSTATICFILES_STORAGE = "x.Storage"\n\nB = 2\n'
    applied = delete_settings(settings, 'STATICFILES_STORAGE = "x.Storage"\n')
    assert applied.source == "A = 1\n\nB = 2\n"
    assert applied.touched == {"STATICFILES_STORAGE"}


def test_deleting_a_setting_that_is_not_there_is_refused():
    with pytest.raises(SnippetError, match="does not set STORAGES; nothing to delete"):
        delete_settings("A = 1\n", "STORAGES = {}\n")


def test_deleting_a_setting_shown_with_another_value_is_refused():
    with pytest.raises(SnippetError, match="something else than the line shown"):
        delete_settings('STATIC_ROOT = BASE_DIR / "staticfiles"\n', 'STATIC_ROOT = "/elsewhere"\n')


def test_a_setting_that_reads_a_name_the_snippet_defines_moves_below_it():
    snippet = 'hosts = "a.example,b.example"\nALLOWED_HOSTS = hosts.split(",")\n'
    assert settings_after(snippet)["ALLOWED_HOSTS"] == ["a.example", "b.example"]
