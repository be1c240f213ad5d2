"""collectstatic runs once per set of identical inputs; other pages get its result."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs_harness.harness.project import ProjectFactory
from docs_harness.verdicts import Status

from .conftest import markdown_runner
from .test_catches_mistakes import PRODUCTION_PAGE


@pytest.fixture
def run_fresh(tmp_path: Path, environment):
    """Like run_markdown, but with a factory (and so a cache) of this test's own."""
    return markdown_runner(tmp_path, environment, ProjectFactory(tmp_path / "projects"))


def collect_verdict(verdicts):
    return next(v for v in verdicts if v.block.language == "bash")


def test_a_page_with_the_same_inputs_reuses_the_result_and_still_passes(run_fresh):
    first = collect_verdict(run_fresh(PRODUCTION_PAGE))
    second_run = run_fresh(PRODUCTION_PAGE)
    second = collect_verdict(second_run)
    assert "collectstatic-reused" not in first.checks
    assert "collectstatic-reused" in second.checks
    assert all(v.status in (Status.PASSED, "not-applicable") for v in second_run)
    # The production checks ran against the reused files.
    assert any("hashed-cached-forever" in v.checks for v in second_run)


def test_a_page_with_other_settings_runs_collectstatic_itself(run_fresh):
    run_fresh(PRODUCTION_PAGE)
    other = PRODUCTION_PAGE.replace('BASE_DIR / "staticfiles"', 'BASE_DIR / "collected"')
    assert other != PRODUCTION_PAGE
    verdict = collect_verdict(run_fresh(other))
    assert verdict.status == Status.PASSED and "collectstatic-reused" not in verdict.checks


def _with_setting(line: str) -> str:
    return PRODUCTION_PAGE.replace(
        'STATIC_ROOT = BASE_DIR / "staticfiles"\n',
        f'STATIC_ROOT = BASE_DIR / "staticfiles"\n{line}\n',
    )


@pytest.mark.parametrize(
    ("setting", "reused"),
    [
        ("DEBUG = False", True),  # read when serving, never while collecting
        ("WHITENOISE_MAX_AGE = 60", True),  # read by the middleware only
        ("WHITENOISE_KEEP_ONLY_HASHED_FILES = True", False),  # read by the storage
        ('WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["css"]', False),
        ("FILE_UPLOAD_PERMISSIONS = 0o600", False),  # the collected files' modes
    ],
)
def test_only_settings_collectstatic_reads_decide_whether_its_result_is_shared(
    run_fresh, setting, reused
):
    run_fresh(PRODUCTION_PAGE)
    other = _with_setting(setting)
    assert other != PRODUCTION_PAGE
    verdicts = run_fresh(other)
    assert ("collectstatic-reused" in collect_verdict(verdicts).checks) is reused
    if reused:  # the shared files pass the same production checks
        assert all(v.status in (Status.PASSED, Status.NOT_APPLICABLE) for v in verdicts)
