"""Bad input fails on its own block with a reason, and never stops the rest of the run."""

from __future__ import annotations

from docs_harness.harness import project
from docs_harness.verdicts import Status

SLOW_THEN_CHECK = """
```bash
python manage.py shell -c "import time; time.sleep(5)"
```

```bash
python manage.py check
```
"""


def test_a_command_that_hangs_fails_its_block_and_the_rest_is_not_run(run_markdown, monkeypatch):
    run_markdown("```bash\npython manage.py check\n```\n")  # startproject, with no time limit
    monkeypatch.setattr(project, "COMMAND_TIMEOUT", 1)
    slow, check = run_markdown(SLOW_THEN_CHECK)
    assert slow.status == Status.FAILED
    assert "did not finish within 1 s" in slow.failures[0].got
    assert check.status == Status.SKIPPED and check.reason == "not run: page.md:2 failed before it"


def test_a_server_that_does_not_start_fails_with_its_output(run_markdown):
    [verdict] = run_markdown("```bash\npython manage.py runserver --no-such-option\n```\n")
    assert verdict.status == Status.FAILED
    [failure] = verdict.failures
    assert failure.check == "server-starts"
    assert "exited with code" in failure.got and "--no-such-option" in failure.got


def test_a_block_no_handler_knows_fails_saying_how_to_skip_it(run_markdown):
    [verdict] = run_markdown("```yaml\nkey: value\n```\n")
    assert verdict.status == Status.FAILED
    assert 'skip="why"' in verdict.failures[0].hint


def test_a_skipped_block_needs_a_reason(run_markdown):
    [verdict] = run_markdown('```yaml skip=""\nkey: value\n```\n')
    assert verdict.status == Status.FAILED and "skip with no reason" in verdict.failures[0].got


def test_a_settings_block_that_breaks_settings_names_the_error(run_markdown):
    [verdict] = run_markdown(
        '```python title="settings.py"\nSTATIC_ROOT = BASDIR / "static"\n```\n'
    )
    assert verdict.status == Status.FAILED
    assert "NameError" in verdict.failures[0].got and "BASDIR" in verdict.failures[0].got


def test_a_syntax_error_points_at_the_markdown_line(run_markdown):
    [verdict] = run_markdown('\n```python title="settings.py"\nA = 1\nB = [\n```\n')
    assert verdict.status == Status.FAILED and "page.md:4:" in verdict.failures[0].got


def test_pip_install_of_a_package_not_in_the_environment_fails(run_markdown):
    [verdict] = run_markdown("```bash\npython -m pip install django-debug-toolbar\n```\n")
    assert (
        verdict.status == Status.FAILED
        and "django-debug-toolbar is not installed" in verdict.failures[0].got
    )
