"""Shown output and expected errors are compared with real runs, and a page that
shows the wrong output or error fails on that block."""

from __future__ import annotations

from pathlib import Path

from docs_harness.harness.outputs import (
    compare,
    last_exception,
    normalise,
    rewritten,
    same_exception,
)
from docs_harness.harness.updates import apply_updates
from docs_harness.verdicts import OutputUpdate, Status

ROOT = "/tmp/run/page1"


def test_what_changes_between_runs_is_normalised():
    real = (
        f"132 static files copied to '{ROOT}/staticfiles', 400 post-processed.\n"
        'ETag: "6743a1b2-1f4"\r\nLast-Modified: Tue, 24 Nov 2026 10:00:00 GMT\r\n'
        "Location: http://127.0.0.1:40123/static/site.0123456789ab.css\r\n"
        "Ran 2 tests in 0.041s\n"
    )
    shown = (
        "130 static files copied to '/srv/mysite/staticfiles', 390 post-processed.\n"
        'ETag: "5f0a-12"\nLast-Modified: Mon, 02 Mar 2026 08:30:00 GMT\n'
        "Location: http://127.0.0.1:8000/static/site.3f1c9a0b7d2e.css\n"
        "Ran 2 tests in 0.012s"
    )
    assert normalise(real, ROOT) == normalise(shown)


def test_exact_output_must_match_every_line_but_dots_match_any():
    real = "Traceback (most recent call last):\n  File x\n  File y\nValueError: boom\n"
    assert compare(
        ["Traceback (most recent call last):", "...", "ValueError: boom"], real, "exact", ROOT
    ).ok
    assert not compare(["ValueError: boom"], real, "exact", ROOT).ok
    assert not compare(
        ["Traceback (most recent call last):", "...", "ValueError: bang"], real, "exact", ROOT
    ).ok


def test_partial_output_lines_must_appear_in_order():
    real = "HTTP/1.1 200 OK\nContent-Type: text/css\nCache-Control: max-age=60, public\n"
    assert compare(
        ["HTTP/1.1 200 OK", "Cache-Control: max-age=60, public"], real, "partial", ROOT
    ).ok
    assert not compare(
        ["Cache-Control: max-age=60, public", "HTTP/1.1 200 OK"], real, "partial", ROOT
    ).ok
    assert not compare(["Cache-Control: max-age=600, public"], real, "partial", ROOT).ok


def test_an_exception_matches_by_type_and_message():
    real = last_exception("Traceback...\n  x\ndjango.core.exceptions.ImproperlyConfigured: no.\n")
    assert real == "django.core.exceptions.ImproperlyConfigured: no."
    assert same_exception("ImproperlyConfigured: no.", real, ROOT)
    assert not same_exception("ImproperlyConfigured: yes.", real, ROOT)
    assert not same_exception("ValueError: no.", real, ROOT)


def test_rewritten_output_is_written_as_pages_write_it():
    real = f'Traceback (most recent call last):\n  File "{ROOT}/x.py"\nValueError: at {ROOT}/a\n'
    assert rewritten(real, ROOT, "exact", []) == [
        "Traceback (most recent call last):",
        "...",
        "ValueError: at /srv/mysite/a",
    ]
    headers = "HTTP/1.1 200 OK\nCache-Control: max-age=60, public\nVary: Accept-Encoding\n"
    assert rewritten(headers, ROOT, "partial", ["Cache-Control: max-age=9, public"]) == [
        "Cache-Control: max-age=60, public"
    ]


def test_updates_replace_the_shown_lines_keeping_indentation(tmp_path: Path):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text('=== "Tab"\n\n    ```console\n    $ cmd\n    old 1\n    old 2\n    ```\n')
    done = apply_updates(tmp_path, [OutputUpdate("docs/page.md", 5, 6, ("new",), indent=4)])
    assert page.read_text() == '=== "Tab"\n\n    ```console\n    $ cmd\n    new\n    ```\n'
    assert done == ["updated docs/page.md:5 (1 lines)"]


CHECK_PAGE = """
# Check

```console output="exact"
$ python manage.py check
System check identified no issues (0 silenced).
```

```console error="ValueError: Missing staticfiles manifest entry for 'site.css'"
$ python manage.py shell -c "from django.templatetags.static import static; static('site.css')"
```
"""
# With DEBUG = True, manifest storage gives unhashed URLs and raises nothing.
MANIFEST = """
```python title="settings.py"
DEBUG = False
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
```
"""


def test_true_output_and_error_pass(run_markdown, environment):
    settings = _storage_block(environment)
    verdicts = run_markdown(settings + CHECK_PAGE)
    assert [v.status for v in verdicts] == [Status.PASSED, Status.PASSED, Status.PASSED], [
        v.failures for v in verdicts
    ]


def test_a_changed_output_fails_on_its_block_and_offers_the_real_one(run_markdown, environment):
    broken = CHECK_PAGE.replace("no issues (0 silenced)", "no issues at all")
    verdicts = run_markdown(_storage_block(environment) + broken)
    failed = [v for v in verdicts if v.status == Status.FAILED]
    assert [v.block.source.split("\n")[0] for v in failed] == ["$ python manage.py check"]
    (failure,) = failed[0].failures
    assert failure.check == "expected-output"
    assert "no issues at all" in failure.got
    (update,) = failed[0].updates
    assert update.lines == ("System check identified no issues (0 silenced).",)


def test_a_changed_error_message_fails_on_its_block(run_markdown, environment):
    broken = CHECK_PAGE.replace("entry for 'site.css'", "entry for 'other.css'")
    verdicts = run_markdown(_storage_block(environment) + broken)
    (failed,) = [v for v in verdicts if v.status == Status.FAILED]
    assert failed.block.options["error"].endswith("'other.css'")
    assert failed.failures[0].check == "expected-error"
    assert "'site.css'" in failed.failures[0].got


def test_an_expected_error_that_does_not_happen_fails(run_markdown, environment):
    broken = CHECK_PAGE.replace("static('site.css')", "print(1)")
    verdicts = run_markdown(_storage_block(environment) + broken)
    (failed,) = [v for v in verdicts if v.status == Status.FAILED]
    assert failed.failures[0].check == "expected-error"
    assert "succeeded" in failed.failures[0].got


def test_output_without_the_option_fails(run_markdown, environment):
    broken = CHECK_PAGE.replace('```console output="exact"', "```console")
    verdicts = run_markdown(_storage_block(environment) + broken)
    assert Status.FAILED in [v.status for v in verdicts]
    assert any("without the option" in f.got for v in verdicts for f in v.failures)


def test_a_settings_block_with_an_expected_error_is_checked_then_undone(run_markdown, environment):
    page = (
        '```python title="settings.py" error="NameError: name \'env\' is not defined"\n'
        'DEBUG = env("DEBUG")\n```\n\n'
        '```console output="exact"\n$ python manage.py check\n'
        "System check identified no issues (0 silenced).\n```\n"
    )
    assert [v.status for v in run_markdown(page)] == [Status.PASSED, Status.PASSED]
    wrong = page.replace("name 'env'", "name 'environ'")
    verdicts = run_markdown(wrong)
    assert [v.status for v in verdicts] == [Status.FAILED, Status.PASSED]
    assert "name 'env' is not defined" in verdicts[0].failures[0].got


def _storage_block(environment) -> str:
    if environment.line >= (4, 2):
        return MANIFEST.replace(
            'STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"\n',
            "",
        )
    return MANIFEST.split("STORAGES")[0] + "```\n"


RUNSERVER_WITHOUT_NOSTATIC = """
```python title="settings.py"
MIDDLEWARE = [
    # ...
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ...
]
```

```bash fails="served-by-whitenoise"
python manage.py runserver
```
"""


def test_a_check_the_page_shows_failing_must_fail(run_markdown):
    verdicts = run_markdown(RUNSERVER_WITHOUT_NOSTATIC)
    assert [v.status for v in verdicts] == [Status.PASSED, Status.PASSED], [
        v.failures for v in verdicts
    ]
    fixed = RUNSERVER_WITHOUT_NOSTATIC.replace("runserver\n", "runserver --nostatic\n")
    verdicts = run_markdown(fixed)
    assert verdicts[-1].status == Status.FAILED
    assert verdicts[-1].failures[0].check == "fails-as-shown"
    assert verdicts[-1].failures[0].got == "it passed"


def test_a_delete_block_removes_the_setting_it_shows(run_markdown, environment):
    page = (
        '```python title="settings.py"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n```\n\n'
        '```python title="settings.py" edit="delete"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n```\n\n'
        "```console error=\"ImproperlyConfigured: You're using the staticfiles app without "
        'having set the STATIC_ROOT setting to a filesystem path."\n'
        "$ python manage.py collectstatic --noinput\n```\n"
    )
    verdicts = run_markdown(page)
    assert [v.status for v in verdicts] == [Status.PASSED, Status.PASSED, Status.PASSED], [
        v.failures for v in verdicts
    ]


def test_fails_cannot_excuse_a_command_that_stops_the_page(run_markdown):
    page = (
        '```console fails="command-succeeds"\n$ python manage.py nosuchcommand\n```\n\n'
        '```python title="settings.py"\nDEBUG = True\n```\n'
    )
    first, second = run_markdown(page)
    assert first.status == Status.FAILED and first.failures[0].check == "command-succeeds"
    assert second.status == "skipped"


def test_curl_must_name_the_port_the_server_listens_on(run_markdown):
    page = (
        "```console\n$ python manage.py runserver\n```\n\n"
        '```console output="partial"\n$ curl -I http://127.0.0.1:8001/\nHTTP/1.1 200 OK\n```\n'
    )
    verdicts = run_markdown(page)
    assert verdicts[-1].status == Status.FAILED
    assert "exit code 7" in verdicts[-1].failures[0].got  # curl: could not connect
    fixed = run_markdown(page.replace(":8001/", ":8000/"))
    assert [v.status for v in fixed] == [Status.PASSED, Status.PASSED], [v.failures for v in fixed]
