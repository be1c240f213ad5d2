"""A URL path a page shows in a command's output is requested, and must answer as the
page says: 200, or the status a curl on the page shows for it."""

from __future__ import annotations

from docs_harness.verdicts import Status

from .test_catches_mistakes import PRODUCTION_PAGE as SET_UP
from .test_catches_mistakes import fence_line

# {% static %} gives hashed names once DEBUG is off, as in production.
PRODUCTION_PAGE = (
    SET_UP
    + """
```python title="settings.py"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
```
"""
)

SHOW_STATIC = """
```console output="partial"
$ python manage.py shell -c "from django.templatetags.static import static; print(static('static_demo/{name}'))"
/static/static_demo/{shown}
```
"""
GUNICORN = """
```bash
gunicorn mysite.wsgi --bind 127.0.0.1:8000
```
"""
# A build step writes a file into STATIC_ROOT after collectstatic: not in the manifest.
LATE_FILE = """
```javascript title="staticfiles/static_demo/extra.js"
console.log("extra");
```

```python title="settings.py"
WHITENOISE_MANIFEST_STRICT = False
```
"""
CURL_404 = """
```console output="partial"
$ curl -sI http://127.0.0.1:8000/static/static_demo/extra.2c3d7ebb0a1f.js
HTTP/1.1 404 Not Found
```
"""

# What stored_name() computes for a file the manifest lacks: a name, not a file.
LATE_NAME_SHOWN = (
    PRODUCTION_PAGE
    + LATE_FILE
    + SHOW_STATIC.format(name="extra.js", shown="extra.2c3d7ebb0a1f.js")
    + GUNICORN
)


def _verdicts(run_markdown, page: str):
    verdicts = run_markdown(page)
    return verdicts, {v.block.line: v for v in verdicts}


def test_a_shown_hashed_name_that_answers_404_fails_the_block_that_shows_it(run_markdown):
    page = LATE_NAME_SHOWN
    verdicts, by_line = _verdicts(run_markdown, page)
    showing = by_line[fence_line(page, "print(static('static_demo/extra.js'))")]
    assert showing.status == Status.FAILED, [(v.block.line, v.status, v.reason) for v in verdicts]
    failure = next(f for f in showing.failures if f.check == "shown-url")
    assert "/static/static_demo/extra." in failure.expected
    assert "answers 200" in failure.expected
    assert "HTTP 404" in failure.got


def test_the_same_url_passes_when_the_page_shows_its_404(run_markdown):
    page = LATE_NAME_SHOWN + CURL_404
    verdicts, by_line = _verdicts(run_markdown, page)
    assert all(v.status in (Status.PASSED, Status.NOT_APPLICABLE) for v in verdicts), [
        (v.block.line, v.status, v.reason) for v in verdicts
    ]
    assert "shown-url" in by_line[fence_line(page, "print(static(")].checks


def test_a_collected_file_is_requested_from_the_production_server(run_markdown):
    # No server on the page: the URL waits for the server that checks the result.
    page = PRODUCTION_PAGE + SHOW_STATIC.format(name="app.js", shown="app.bb84f4d61712.js")
    verdicts, by_line = _verdicts(run_markdown, page)
    showing = by_line[fence_line(page, "print(static(")]
    assert showing.status == Status.PASSED, [(v.block.line, v.status, v.reason) for v in verdicts]
    assert "shown-url" in showing.checks


def test_paths_in_a_page_that_curl_shows_are_requested(run_markdown):
    page = (
        PRODUCTION_PAGE
        + GUNICORN
        + """
```console output="partial"
$ curl -s http://127.0.0.1:8000/
  <link rel="stylesheet" href="/static/static_demo/site.6210e5aeadb5.css">
```
"""
    )
    verdicts, by_line = _verdicts(run_markdown, page)
    showing = by_line[fence_line(page, "curl -s http")]
    assert showing.status == Status.PASSED, [(v.block.line, v.status, v.reason) for v in verdicts]
    assert "shown-url" in showing.checks
