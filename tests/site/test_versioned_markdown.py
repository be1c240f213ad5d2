"""A page as each version of the site shows it, from reports written for that page."""

from __future__ import annotations

from pathlib import Path

from docs_harness.fences import parse_blocks
from docs_harness.records import BlockRecord, CheckRecord, CommandRun, LineRecords
from docs_harness.report import LineReport
from docs_harness.site.record_pages import render_records
from docs_harness.site.versioned_markdown import SiteVersion, render_page

FILE = "docs/how-to/page.md"
PAGE = """# A page

Both lines:

```python title="settings.py"
DEBUG = False
```

=== "Django 4.2+"

    ```python title="settings.py"
    STORAGES = {}
    ```

=== "Django 3.2 to 4.1"

    ```python title="settings.py"
    STATICFILES_STORAGE = "x"
    ```

Only on 4.2:

```console django="4.2" skip="a message on its own"
$ true
```
"""


def _reports(statuses: dict[str, list[str]], page: str = PAGE) -> dict[str, LineReport]:
    """One report per line; ``statuses[line]`` gives each block's status in page order."""
    blocks = parse_blocks(Path(FILE), page)
    reports = {}
    for line, per_block in statuses.items():
        entries = {
            (FILE, block.line): {"status": status, "reason": "why", "digest": block.digest}
            for block, status in zip(blocks, per_block, strict=True)
        }
        reports[line] = LineReport(
            line, f"{line}.9", "3.12.1", "6.9.0", "2026-11-24T01:02:03+00:00", Path(line), entries
        )
    return reports


REPORTS = _reports(
    {
        "4.1": ["passed", "not-applicable", "passed", "not-applicable"],
        "4.2": ["passed", "passed", "not-applicable", "skipped"],
        "5.0": ["passed", "passed", "not-applicable", "not-applicable"],
    }
)


def _records(line: str, reports=REPORTS, leave_out: int | None = None) -> LineRecords:
    """A record for each block that passed on ``line``, but the one at ``leave_out``."""
    blocks = {}
    for (file, number), entry in reports[line].blocks.items():
        if entry["status"] == "passed" and number != leave_out:
            record = BlockRecord(file, number, entry["digest"])
            record.status, record.ran = "passed", "2026-11-24T01:02:03+00:00"
            blocks[(file, number)] = (record, None)
    versions = {"django": f"{line}.9", "whitenoise": "6.9.0", "python": "3.12.1"}
    versions |= {"gunicorn": "23.0.0", "os": "Debian GNU/Linux 12 (bookworm)"}
    return LineRecords(line, versions, Path(f"records-{line}.json"), blocks)


def _render(line, reports=REPORTS, page=PAGE, records=None):
    if line in reports and records is None:
        records = _records(line, reports)
    return render_page(page, FILE, "how-to/page.md", SiteVersion(line, reports, records))


def test_every_line_build_badges_each_block_with_the_lines_it_passed_on():
    markdown = _render(None).markdown
    assert (
        '[✓ Django 4.1–5.0](../compatibility.md "Passed on Django 4.1.9, 4.2.9, 5.0.9 '
        '(run 2026-11-24)"){ .block-badge }\n\n```python' in markdown
    )
    assert '    [✓ Django 4.2–5.0](../compatibility.md "Passed on Django 4.2.9, 5.0.9' in markdown
    assert "[✓ Django 4.1](" in markdown
    assert "[Not run: why](../compatibility.md){ .block-badge .block-badge--not-run }" in markdown
    assert "not shown" not in markdown and "This tab is for" not in markdown


def test_a_version_puts_its_tab_first_and_empties_the_other():
    markdown = _render("4.1").markdown
    first, second = markdown.index('=== "Django 3.2 to 4.1"'), markdown.index('=== "Django 4.2+"')
    assert first < second
    assert "STORAGES = {}" not in markdown and 'STATICFILES_STORAGE = "x"' in markdown
    assert "This tab is for Django 4.2+. This version of the guide is for Django 4.1" in markdown
    assert "_An example for Django 4.2 is not shown for Django 4.1._" in markdown
    assert [b.language for b in parse_blocks(Path(FILE), markdown)] == ["python", "python"]


def test_a_version_keeps_blocks_skipped_on_its_line_with_the_reason():
    markdown = _render("4.2").markdown
    assert markdown.index('=== "Django 4.2+"') < markdown.index('=== "Django 3.2 to 4.1"')
    assert "[Not run: why]" in markdown and "$ true" in markdown


def test_a_block_failed_on_the_line_is_hidden_and_named_as_a_problem():
    reports = _reports({"5.0": ["failed", "passed", "not-applicable", "not-applicable"]})
    rendered = _render("5.0", reports)
    assert "DEBUG = False" not in rendered.markdown
    assert rendered.problems == [f"{FILE}:5 failed on Django 5.0: why"]


def test_a_report_older_than_the_page_gives_no_badge_and_is_a_problem():
    edited = PAGE.replace("DEBUG = False", "DEBUG = True")
    rendered = _render("4.2", REPORTS, edited)
    assert rendered.problems == [
        f"{FILE}:5: 4.2 has no result for this block as the page now stands; "
        "run the examples on Django 4.2 again"
    ]
    assert "DEBUG = True" in rendered.markdown
    assert "```python" in rendered.markdown.split("DEBUG = True")[0].split("\n\n")[-1]
    # The skipped block; the tab block passed on 4.2, so its badge opens its record.
    assert rendered.markdown.count("](../compatibility.md") == 1
    assert "](../records/how-to/page.md#line-11 " in rendered.markdown


def test_without_reports_nothing_is_badged_and_ranges_decide():
    rendered = _render("4.1", reports={})
    assert "block-badge" not in rendered.markdown
    assert (
        'STATICFILES_STORAGE = "x"' in rendered.markdown
        and "STORAGES = {}" not in rendered.markdown
    )
    assert len(rendered.notes) == 4


def test_a_page_with_nothing_for_the_line_says_so_under_its_title():
    page = '# Only 4.2\n\n```python title="settings.py" django="4.2"\nDEBUG = False\n```\n'
    reports = _reports({"4.1": ["not-applicable"], "4.2": ["passed"]}, page)
    markdown = _render("4.1", reports, page).markdown
    assert markdown.startswith('# Only 4.2\n\n!!! note "Nothing here for Django 4.1"\n')
    assert "The examples on this page are for Django 4.2." in markdown


def _tab_labels(markdown: str) -> list[str]:
    return [text.strip() for text in markdown.splitlines() if text.lstrip().startswith("===")]


def test_nested_groups_and_new_group_markers_are_ordered_group_by_group():
    page = """# Tabs

=== "pip"

    === "Django 3.2 to 4.1"

        Old.

    === "Django 4.2+"

        New.

=== "uv"

    Same.

===! "Django 3.2 to 4.1"

    Old again.

===+ "Django 4.2+"

    New again.
"""
    markdown = _render("5.0", reports={}, page=page).markdown
    assert _tab_labels(markdown) == [
        '=== "pip"',
        '=== "Django 4.2+"',
        '=== "Django 3.2 to 4.1"',
        '=== "uv"',
        '===! "Django 4.2+"',
        '=== "Django 3.2 to 4.1"',
    ]
    assert "New.\n" in markdown and "Old." not in markdown and "Old again." not in markdown


def test_a_hidden_block_leaves_the_paragraphs_around_it_and_takes_its_annotations():
    page = """# Page

Run this:
```python title="settings.py" django="4.2+"
DEBUG = False  # (1)!
```

1.  Why.
2.  And why not,
    at length.

Then that.
"""
    markdown = _render("4.1", reports={}, page=page).markdown
    assert "Run this:\n\n_An example for Django 4.2+ is not shown for Django 4.1._\n\n" in markdown
    assert "Why." not in markdown and "at length" not in markdown
    assert markdown.rstrip().endswith("Then that.")


def test_a_reused_verdict_is_badged_with_the_date_of_the_run_that_produced_it():
    reports = _reports({"4.2": ["passed", "passed", "not-applicable", "skipped"]})
    first = next(iter(reports["4.2"].blocks.values()))
    first["reused"] = {"key": "abc", "finished": "2026-10-01T09:00:00+00:00"}
    markdown = _render(None, reports).markdown
    assert '"Passed on Django 4.2.9 (run 2026-10-01)"' in markdown
    assert '"Passed on Django 4.2.9 (run 2026-11-24)"' in markdown  # the blocks run this time


def test_a_badge_in_a_version_opens_its_blocks_run_record():
    rendered = _render("4.2")
    assert not rendered.problems
    assert "](../records/how-to/page.md#line-5 " in rendered.markdown
    assert "](../records/how-to/page.md#line-11 " in rendered.markdown
    assert rendered.markdown.count("](../compatibility.md") == 1  # the skipped block


def test_a_missing_record_is_never_linked_and_the_build_names_it():
    rendered = _render("4.2", records=_records("4.2", leave_out=11))
    assert "](../records/how-to/page.md#line-5 " in rendered.markdown
    assert "#line-11" not in rendered.markdown
    assert rendered.problems == [
        f"{FILE}:11 passed on Django 4.2 but has no run record for this block as the page "
        "now stands; run the examples on Django 4.2 again"
    ]
    # A record of other text at that line is as good as none.
    stale = _records("4.2")
    stale.blocks[(FILE, 11)] = (BlockRecord(FILE, 11, "0" * 64, status="passed"), None)
    assert "#line-11" not in _render("4.2", records=stale).markdown


def test_a_record_page_shows_each_run_block_with_its_evidence_and_how_to_repeat_it():
    records = _records("4.2")
    record = records.blocks[(FILE, 5)][0]
    record.commands.append(CommandRun(["python", "manage.py", "check"], 0, "``` not a fence"))
    record.commands.append(CommandRun(["curl", "-H", "Accept-Encoding: br", "`x`"], 0, ""))
    record.checks.append(CheckRecord("expected-output", True, "prints | <b>it's</b> *"))
    record.checks.append(CheckRecord("served-by-whitenoise", False, "WhiteNoise", "", True))
    record.checks.append(CheckRecord("etag-304", True, "304", evidence_at=11))
    record.settings_diff = "+DEBUG = False\n"
    record.left_out = {"exchanges": 3}
    records.blocks[(FILE, 11)] = (BlockRecord(FILE, 11, "0" * 64, status="passed"), None)
    blocks = parse_blocks(Path(FILE), PAGE)

    page = render_records("how-to/page.md", FILE, "A page", blocks, records)

    assert page is not None

    assert page.startswith("---\nsearch:\n  exclude: true\n---\n")
    assert "# Run records on Django 4.2: A page" in page
    assert "[A page](../../how-to/page.md)" in page
    assert 'nox -s "test-examples(4.2)" -- -k "docs/how-to/page.md" --fresh' in page
    assert "| gunicorn | 23.0.0 |" in page
    assert "{#line-5}" in page and "{#line-11}" not in page  # no record of the text shown
    assert "0" * 16 not in page
    assert "````text\n``` not a fence\n````" in page  # a longer fence than the output's
    assert "`python manage.py check` (exit status 0)" in page
    # Quoted as a shell would; a span longer than the backticks inside it.
    assert "``curl -H 'Accept-Encoding: br' '`x`'``" in page
    assert "prints &#124; &lt;b&gt;it's&lt;/b&gt; &#42;" in page  # a cell, not markup
    assert "| `served-by-whitenoise` | failed, as the page shows |" in page
    assert "| `etag-304` | passed (run under [line 11](#line-11)) |" in page
    assert "```diff\n+DEBUG = False\n" in page
    assert "3 more exchanges" in page


def test_a_page_with_no_record_of_its_blocks_as_they_stand_gets_no_record_page():
    records = _records("4.2")
    for key, (record, reused) in list(records.blocks.items()):
        records.blocks[key] = (BlockRecord(record.file, record.line, "0" * 64), reused)
    blocks = parse_blocks(Path(FILE), PAGE)
    assert render_records("how-to/page.md", FILE, "A page", blocks, records) is None
