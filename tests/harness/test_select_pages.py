"""``-k`` with a page's path runs that page alone, every block of it in order, and
leaves the last full report in place."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from docs_harness.site.record_pages import repeat_command
from docs_harness.verdicts import Environment
from docs_harness.versions import format_line

from .test_failure_report import run_harness

# The second block shows what the first one set: it passes only if the first ran.
DEPENDENT_PAGE = """\
# Two

```python title="settings.py"
STATIC_URL = "/assets/"
```

```console output="exact"
$ python manage.py shell -c "from django.conf import settings; print(settings.STATIC_URL)"
...
/assets/
```
"""
OTHER_PAGE = """\
# One

```bash
python manage.py check
```
"""


def _two_pages(tmp_path: Path) -> tuple[Path, Path]:
    """Docs of two pages, and where their reports go."""
    docs = tmp_path / "docs"
    (docs / "how-to").mkdir(parents=True)
    (docs / "one.md").write_text(OTHER_PAGE)
    (docs / "how-to" / "two.md").write_text(DEPENDENT_PAGE)
    return docs, tmp_path / "reports"


def test_selecting_one_block_runs_its_whole_page_and_no_other(tmp_path):
    docs, reports = _two_pages(tmp_path)
    full = run_harness(docs, reports)
    assert full.returncode == 0, full.stdout
    (report,) = reports.glob("django-*.json")
    before = report.read_bytes()

    # The page's path, as the site's records give it, picks the page's blocks.
    chosen = run_harness(docs, reports, "-k", "how-to/two.md:7", "--fresh")
    assert chosen.returncode == 0, chosen.stdout
    assert "1 passed" in chosen.stdout and "2 deselected" in chosen.stdout, chosen.stdout
    assert ": 2 executed, 0 skipped, 0 not applicable, 0 failed" in chosen.stdout
    assert "report: not written (1 of 2 pages selected)" in chosen.stdout
    assert report.read_bytes() == before
    assert len(json.loads(before)["blocks"]) == 3


def test_the_command_a_run_record_shows_runs_that_page_in_order(tmp_path):
    docs, reports = _two_pages(tmp_path)
    assert run_harness(docs, reports).returncode == 0
    (records,) = reports.glob("records-django-*.json")
    file = next(
        b["file"] for b in json.loads(records.read_text())["blocks"] if "two.md" in b["file"]
    )

    command = shlex.split(repeat_command(format_line(Environment.installed().line), file))
    # What nox hands to pytest: what follows "--".
    again = run_harness(docs, reports, *command[command.index("--") + 1 :])

    assert again.returncode == 0, again.stdout
    assert "2 passed" in again.stdout and "1 deselected" in again.stdout, again.stdout
    assert ": 2 executed, 0 skipped, 0 not applicable, 0 failed\n" in again.stdout  # none reused
