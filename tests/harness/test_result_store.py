"""The result store: a page reruns when anything its result depends on changed, and a
store that cannot be trusted is ignored, never believed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from docs_harness.fences import Block
from docs_harness.harness import result_store
from docs_harness.harness.extract import extract_blocks
from docs_harness.harness.result_store import ResultStore, environment_key
from docs_harness.verdicts import BlockVerdict, Status

from .test_failure_report import ROOT, run_harness

PAGE = """\
# Checked

```bash
python manage.py check
```

```python
print("not run on purpose")
```
"""


def blocks_of(tmp_path: Path, text: str) -> list[Block]:
    page = tmp_path / "page.md"
    page.write_text(text)
    return extract_blocks(page, text, Path("page.md"))


def verdicts_for(blocks: list[Block], status: Status = Status.PASSED) -> list[BlockVerdict]:
    return [BlockVerdict(block, status, "", ["command-succeeds"]) for block in blocks]


def test_a_stored_page_comes_back_marked_with_its_key_and_date(tmp_path):
    blocks = blocks_of(tmp_path, PAGE)
    store = ResultStore(tmp_path / "store", "env-1")
    store.put(Path("page.md"), PAGE.encode(), verdicts_for(blocks))

    reused = store.get(Path("page.md"), PAGE.encode(), blocks)

    assert reused is not None
    assert [v.status for v in reused] == [Status.PASSED, Status.PASSED]
    assert [v.checks for v in reused] == [["command-succeeds"]] * 2
    assert all(v.reused and v.reused.key and v.reused.finished[:2] == "20" for v in reused)
    assert not store.warnings


@pytest.mark.parametrize(
    "change",
    ["page text", "environment", "fresh"],
)
def test_any_changed_input_misses(tmp_path, change):
    blocks = blocks_of(tmp_path, PAGE)
    ResultStore(tmp_path / "store", "env-1").put(
        Path("page.md"), PAGE.encode(), verdicts_for(blocks)
    )
    text = PAGE.replace("check", "check --deploy") if change == "page text" else PAGE
    store = ResultStore(
        tmp_path / "store", "env-2" if change == "environment" else "env-1", fresh=change == "fresh"
    )

    assert store.get(Path("page.md"), text.encode(), blocks_of(tmp_path, text)) is None


def test_a_page_with_a_failed_block_is_not_stored_and_drops_its_old_entry(tmp_path):
    blocks = blocks_of(tmp_path, PAGE)
    store = ResultStore(tmp_path / "store", "env-1")
    store.put(Path("page.md"), PAGE.encode(), verdicts_for(blocks))
    failed = verdicts_for(blocks)
    failed[0].status = Status.FAILED

    store.put(Path("page.md"), PAGE.encode(), failed)

    assert store.get(Path("page.md"), PAGE.encode(), blocks) is None
    assert not list((tmp_path / "store").iterdir())


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # a write cut short
        lambda text: "\x00\xff not json",
        lambda text: text.replace('"passed"', '"failed"'),  # a failed verdict is never reused
        lambda text: text.replace('"passed"', '"no such status"'),
        lambda text: json.dumps({**json.loads(text), "verdicts": []}),  # blocks missing
        lambda text: text.replace('"digest": "', '"digest": "x'),
        lambda text: "[]",
    ],
    ids=["truncated", "garbage", "failed", "unknown-status", "no-verdicts", "digest", "list"],
)
def test_a_damaged_entry_is_a_miss_with_a_warning_not_a_crash(tmp_path, damage):
    blocks = blocks_of(tmp_path, PAGE)
    store = ResultStore(tmp_path / "store", "env-1")
    store.put(Path("page.md"), PAGE.encode(), verdicts_for(blocks))
    (entry,) = (tmp_path / "store").iterdir()
    entry.write_text(damage(entry.read_text()), errors="surrogateescape")

    assert store.get(Path("page.md"), PAGE.encode(), blocks) is None
    assert len(store.warnings) == 1 and "page.md" in store.warnings[0]


def test_the_environment_key_covers_examples_package_code_and_installed_versions(
    tmp_path, monkeypatch
):
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    package = tmp_path / "package"
    shutil.copytree(result_store.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(result_store, "PACKAGE", package)
    # A real distribution on the import path, as an installed package looks to importlib.
    site = tmp_path / "site"
    (site / "docs_store_probe-1.0.dist-info").mkdir(parents=True)
    metadata = "Metadata-Version: 2.1\nName: docs-store-probe\nVersion: {}\n"
    (site / "docs_store_probe-1.0.dist-info" / "METADATA").write_text(metadata.format("1.0"))
    monkeypatch.syspath_prepend(str(site))
    keys = [environment_key(examples)]
    assert environment_key(examples) == keys[0], "the key is stable while nothing changes"

    next(examples.rglob("*.py")).write_text("# changed\n")
    keys.append(environment_key(examples))
    (package / "harness" / "checks.py").write_text("# changed\n")
    keys.append(environment_key(examples))
    (site / "docs_store_probe-1.0.dist-info" / "METADATA").write_text(metadata.format("1.1"))
    keys.append(environment_key(examples))

    assert len(set(keys)) == len(keys)


FAST_PAGE = """\
# {title}

```bash
python manage.py check
```
"""


def report_blocks(reports: Path) -> dict[str, dict]:
    (report,) = reports.glob("django-*.json")
    return {b["file"]: b for b in json.loads(report.read_text())["blocks"]}


def test_a_rerun_reuses_unchanged_pages_and_reruns_an_edited_one(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("one", "two"):
        (docs / f"{name}.md").write_text(FAST_PAGE.format(title=name))
    store = tmp_path / "store"
    reports = tmp_path / "reports"

    first = run_harness(docs, reports, "--results-dir", str(store))
    assert first.returncode == 0, first.stdout
    assert not any("reused" in block for block in report_blocks(reports).values())

    (docs / "two.md").write_text(FAST_PAGE.format(title="two, edited"))
    second = run_harness(docs, reports, "--results-dir", str(store))
    assert second.returncode == 0, second.stdout
    blocks = {Path(file).name: block for file, block in report_blocks(reports).items()}
    assert "reused" in blocks["one.md"] and "reused" not in blocks["two.md"]
    assert blocks["one.md"]["status"] == "passed"
    assert "1 reused from runs of" in second.stdout

    fresh = run_harness(docs, reports, "--results-dir", str(store), "--fresh")
    assert fresh.returncode == 0, fresh.stdout
    assert not any("reused" in block for block in report_blocks(reports).values())


def test_the_default_store_is_outside_version_control():
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", ".docs-results/django-5.2/entry.json"], cwd=ROOT
    )
    assert ignored.returncode == 0
