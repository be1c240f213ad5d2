"""Which URL paths a page shows in output, and which status it says they get."""

from __future__ import annotations

from pathlib import Path

from docs_harness.fences import parse_blocks
from docs_harness.harness.shown_urls import paths_shown, served_paths, shown, statuses_shown


def test_a_hash_on_the_page_finds_the_real_hashed_path():
    real = "12 objects imported automatically.\n/static/css/site.0123456789ab.css\n"
    assert paths_shown(["/static/css/site.41a30481bef9.css"], real, "/tmp/p") == [
        "/static/css/site.0123456789ab.css"
    ]


def test_only_lines_the_page_shows_count():
    real = "/static/a.css\n/static/b.css\n"
    assert paths_shown(["/static/b.css"], real, "/tmp/p") == ["/static/b.css"]


def test_paths_inside_urls_html_and_lists_are_found_and_file_paths_in_tracebacks_kept_apart():
    line = (
        'Location: http://127.0.0.1:8000/static/a.css <link href="/static/b.js"> '
        "['/static/c.svg'] File \"/usr/lib/python3/x.py\""
    )
    found = paths_shown([line], line, "/tmp/p")
    assert found == ["/static/a.css", "/static/b.js", "/static/c.svg", "/usr/lib/python3/x.py"]
    assert served_paths(found, "/static/") == ["/static/a.css", "/static/b.js", "/static/c.svg"]


def test_a_relative_or_absolute_static_url_and_a_script_prefix_are_the_project_s():
    paths = ["/static/a.css", "/app/static/b.css", "/media/c.png"]
    assert served_paths(paths, "static/", "/app/") == ["/static/a.css", "/app/static/b.css"]
    assert served_paths(paths, "https://cdn.example.com/static/") == ["/static/a.css"]


def test_a_curl_on_the_page_says_which_status_a_path_gets(tmp_path: Path):
    text = (
        "# t\n\n"
        '```console output="partial"\n'
        "$ curl -sI http://127.0.0.1:8000/static/x.3f1c9a0b7d2e.js\n"
        "HTTP/1.1 404 Not Found\n"
        "```\n"
    )
    statuses = statuses_shown(parse_blocks(tmp_path / "page.md", text))
    assert shown("/static/x.0123456789ab.js", "cmd", statuses).statuses == {404}
    assert shown("/static/y.js", "cmd", statuses).statuses == {200}
