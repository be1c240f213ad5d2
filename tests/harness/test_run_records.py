"""Run records: each block that ran leaves what it ran, what came back over HTTP, its
checks and its settings, beside the report; a reused verdict keeps its first run's."""

from __future__ import annotations

import json
from pathlib import Path

from docs_harness.fences import parse_blocks
from docs_harness.records import LIST_LIMIT, TEXT_LIMIT, BlockRecord, bounded, load_records
from docs_harness.verdicts import Environment
from docs_harness.versions import format_line

from .test_failure_report import run_harness

PAGE = """\
# Served

```python title="settings.py"
STATIC_ROOT = BASE_DIR / "staticfiles"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ...
]
```

```console
$ python manage.py collectstatic --noinput
```

```console output="partial"
$ gunicorn mysite.wsgi
$ curl -sI -H "Accept-Encoding: gzip" http://127.0.0.1:8000/static/static_demo/app.js
HTTP/1.1 200 OK
```

```python title="notes.py" django="4.0 to 4.1"
NOTE = "this block is for other lines than the ones these tests run on"
```
"""


def _records(reports: Path) -> dict:
    line = format_line(Environment.installed().line)
    return json.loads((reports / f"records-django-{line}.json").read_text())


def test_each_block_that_ran_has_its_commands_http_checks_and_settings(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "served.md").write_text(PAGE)
    blocks = {b.line: b for b in parse_blocks(Path("page.md"), PAGE)}
    settings, collect, curl = sorted(blocks)[:3]

    result = run_harness(docs, tmp_path / "reports")
    assert result.returncode == 0, result.stdout

    data = _records(tmp_path / "reports")
    environment = Environment.installed()
    assert (data["django"], data["whitenoise"], data["python"]) == (
        environment.django, environment.whitenoise, environment.python,
    )  # fmt: skip
    assert data["gunicorn"][0].isdigit() and data["os"]
    by_line = {item["line"]: item for item in data["blocks"]}
    # The last block is for other lines: it did not run, so it has no record.
    assert sorted(by_line) == [settings, collect, curl]
    assert all(
        item["reused"] is None and item["status"] == "passed" and item["ran"] <= data["finished"]
        for item in by_line.values()
    )
    assert all(item["digest"] == blocks[line].digest for line, item in by_line.items())

    assert (
        "+    'whitenoise.middleware.WhiteNoiseMiddleware'," in by_line[settings]["settings_diff"]
    )
    assert by_line[settings]["commands"] == []

    (collected,) = by_line[collect]["commands"]
    assert collected["argv"][-2:] == ["collectstatic", "--noinput"]
    assert collected["exit_status"] == 0 and "static files copied" in collected["output"]

    # The page's gunicorn, its curl, then the production gunicorn run after the last block.
    server, curled, production = by_line[curl]["commands"]
    assert "gunicorn" in server["argv"] and server["exit_status"] is None
    assert "gunicorn" in production["argv"] and production["exit_status"] is None
    assert "after its last block" in production["note"] and not server["note"]
    assert "Listening at: http://127.0.0.1:" in server["output"]  # added when it stopped
    assert curled["argv"][-1].endswith("/static/static_demo/app.js")
    assert (
        "HTTP/1.1 200 OK" in curled["output"]
        and "content-type: text/javascript" in curled["output"].lower()
    )
    checks = {check["name"]: check for check in by_line[curl]["checks"]}
    assert (
        checks["expected-output"]["ok"]
        and "prints what the page shows" in checks["expected-output"]["expected"]
    )

    # The production server's requests land on the last block; its checks on the block
    # that set what they check.
    assert "served-by-whitenoise" in {check["name"] for check in by_line[settings]["checks"]}
    exchanges = by_line[curl]["exchanges"]
    assert exchanges, by_line[curl]
    revalidated = [e for e in exchanges if "If-None-Match" in e["request_headers"]]
    assert revalidated and revalidated[0]["status"] == 304
    # The headers as sent, with those http.client adds.
    assert revalidated[0]["request_headers"]["Host"].startswith("127.0.0.1:")
    assert revalidated[0]["request_headers"]["Accept-Encoding"] == "identity"
    sent = revalidated[0]["request_headers"]["If-None-Match"]
    assert sent == revalidated[0]["response_headers"]["etag"]


def test_a_reused_verdict_keeps_the_record_of_the_run_that_made_it(tmp_path):
    docs, reports, store = tmp_path / "docs", tmp_path / "reports", tmp_path / "store"
    docs.mkdir()
    (docs / "served.md").write_text(PAGE)

    assert run_harness(docs, reports, "--results-dir", str(store)).returncode == 0
    first = _records(reports)
    second_run = run_harness(docs, reports, "--results-dir", str(store))
    assert second_run.returncode == 0, second_run.stdout
    second = _records(reports)

    assert second["finished"] >= first["finished"]
    for before, after in zip(first["blocks"], second["blocks"], strict=True):
        # The date the record gives is its first run's, the one the reuse names.
        assert after["reused"] is not None and after["ran"] == before["ran"]
        assert after["reused"]["finished"] == before["ran"] <= first["finished"]
        assert {k: v for k, v in after.items() if k not in ("reused",)} == {
            k: v for k, v in before.items() if k not in ("reused",)
        }
    line = format_line(Environment.installed().line)
    read = load_records(reports, line)
    assert read is not None and len(read.blocks) == len(second["blocks"])


def test_a_record_is_bounded_and_says_what_it_left_out():
    record = BlockRecord("docs/page.md", 3, "d" * 64)
    for index in range(LIST_LIMIT + 5):
        record.add("checks", index)
    assert len(record.checks) == LIST_LIMIT and record.left_out == {"checks": 5}
    long = "x" * (TEXT_LIMIT + 123)
    kept = bounded(long)
    assert kept.startswith("x" * TEXT_LIMIT) and kept.endswith("[... 123 more characters not kept]")
    assert bounded("short") == "short"
