"""The GitHub Actions workflow: the matrix on every push, the deploy only when it is green."""

from __future__ import annotations

import re
import shlex

import yaml

from .published import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "docs.yml"


def _workflow() -> dict:
    # YAML reads the key "on" as True.
    return yaml.safe_load(WORKFLOW.read_text())


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _sessions_in_noxfile() -> set[str]:
    text = (ROOT / "noxfile.py").read_text()
    named = set(re.findall(r'@nox\.session\((?:[^)]*?)name="([^"]+)"', text, re.S))
    unnamed = re.findall(r"@nox\.session\((?:(?!name=)[^)])*\)\ndef (\w+)\(", text)
    return named | set(unnamed)


def test_every_push_runs_every_line_of_the_matrix_as_nox_lists_it():
    workflow = _workflow()
    assert "push" in workflow[True]
    plan, examples = workflow["jobs"]["plan"], workflow["jobs"]["examples"]
    assert "nox --list --json -s test-examples" in _runs(plan)
    assert examples["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.plan.outputs.lines) }}"
    assert examples["strategy"]["fail-fast"] is False
    assert 'nox -s "${{ matrix.session }}"' in _runs(examples)


def test_the_deploy_runs_on_main_only_after_every_line_and_check_passed():
    jobs = _workflow()["jobs"]
    deploy = jobs["deploy"]
    assert set(deploy["needs"]) == {"examples", "checks"}
    assert jobs["checks"]["needs"] == "examples"
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["permissions"] == {"contents": "write"}
    assert "nox -s docs-deploy" in _runs(deploy)
    assert not any(step.get("continue-on-error") for job in jobs.values() for step in job["steps"])


def test_the_reports_each_line_uploads_reach_the_checks_and_the_deploy():
    jobs = _workflow()["jobs"]
    uploads = [s for s in jobs["examples"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert [s["with"]["name"] for s in uploads] == ["report-${{ strategy.job-index }}"]
    assert uploads[0]["with"]["path"] == "build/examples-report/"
    for name in ("checks", "deploy"):
        downloads = [s for s in jobs[name]["steps"] if "download-artifact" in s.get("uses", "")]
        assert [s["with"] for s in downloads] == [
            {"pattern": "report-*", "merge-multiple": True, "path": "build/examples-report/"}
        ], name


def test_the_workflow_names_only_sessions_the_noxfile_has():
    known = _sessions_in_noxfile()
    for job in _workflow()["jobs"].values():
        for line in _runs(job).splitlines():
            words = shlex.split(line) if "nox -s" in line else []
            if not words:
                continue
            named = words[words.index("-s") + 1 :]
            for session in named:
                if not session.startswith("${{"):
                    assert session.split("(")[0] in known, f"{line!r}: no session {session}"
    assert {"test-harness", "lint", "docs-build", "test-site", "docs-deploy"} <= known


def test_each_line_restores_its_stored_verdicts_except_on_the_weekly_cold_run():
    workflow = _workflow()
    assert "schedule" in workflow[True]
    steps = workflow["jobs"]["examples"]["steps"]
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore"))
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save"))
    assert restore["if"] == "github.event_name != 'schedule'"
    assert restore["with"]["path"] == save["with"]["path"] == ".docs-results"
    # One entry per line and run; a run restores the newest entry of its own line.
    assert "${{ matrix.session }}" in save["with"]["key"]
    assert restore["with"]["restore-keys"] == save["with"]["key"].rsplit("-${{", 1)[0] + "-"
    names = [s.get("uses", s.get("run", "")) for s in steps]
    assert names.index(restore["uses"]) < names.index('python -m nox -s "${{ matrix.session }}"')
    assert names.index(save["uses"]) > names.index('python -m nox -s "${{ matrix.session }}"')
