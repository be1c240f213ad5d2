"""collectstatic runs once per set of identical inputs; other pages get its result."""

from __future__ import annotations

from tests.harness.scenario import PASSED

from .test_catches_mistakes import PRODUCTION_PAGE


def collect_verdict(verdicts):
    return next(v for v in verdicts if v.block.language == "bash")


def test_a_page_with_the_same_inputs_reuses_the_result_and_still_passes(run_markdown):
    first = collect_verdict(run_markdown(PRODUCTION_PAGE))
    second_run = run_markdown(PRODUCTION_PAGE)
    second = collect_verdict(second_run)
    assert "collectstatic-reused" not in first.checks
    assert "collectstatic-reused" in second.checks
    assert all(v.status in (PASSED, "not-applicable") for v in second_run)
    # The production checks ran against the reused files.
    assert any("hashed-cached-forever" in v.checks for v in second_run)


def test_a_page_with_other_settings_runs_collectstatic_itself(run_markdown):
    run_markdown(PRODUCTION_PAGE)
    other = PRODUCTION_PAGE.replace('BASE_DIR / "staticfiles"', 'BASE_DIR / "collected"')
    assert other != PRODUCTION_PAGE
    verdict = collect_verdict(run_markdown(other))
    assert verdict.status == PASSED and "collectstatic-reused" not in verdict.checks
