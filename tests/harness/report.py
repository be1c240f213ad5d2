"""The JSON report other tools read, the summary line, and failure messages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from .verdicts import FAILED, NOT_APPLICABLE, SKIPPED, BlockVerdict, Environment
from .versions import format_line


def report_path(report_dir: Path, environment: Environment) -> Path:
    return report_dir / f"django-{format_line(environment.line)}.json"


def build_report(environment: Environment, verdicts: Iterable[BlockVerdict]) -> dict:
    return {
        "django": environment.django,
        "whitenoise": environment.whitenoise,
        "python": environment.python,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "blocks": [
            {
                "file": v.block.path.as_posix(),
                "line": v.block.line,
                "language": v.block.language,
                "digest": v.block.digest,
                "status": v.status,
                "reason": v.reason,
                "checks": list(v.checks),
            }
            for v in verdicts
        ],
    }


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def summary_line(environment: Environment, verdicts: list[BlockVerdict]) -> str:
    def count(status: str) -> list[BlockVerdict]:
        return [v for v in verdicts if v.status == status]

    skipped = count(SKIPPED)
    executed = len(verdicts) - len(skipped) - len(count(NOT_APPLICABLE))
    reasons = "; ".join(f"{v.block.location}: {v.reason}" for v in skipped)
    return (
        f"Django {environment.django}: {executed} executed, {len(skipped)} skipped"
        + (f" ({reasons})" if reasons else "")
        + f", {len(count(NOT_APPLICABLE))} not applicable, {len(count(FAILED))} failed"
    )


def failure_message(verdict: BlockVerdict, environment: Environment) -> str:
    parts = [f"{verdict.block.location} failed on {environment.describe()}"]
    for failure in verdict.failures:
        parts.append(
            f"\ncheck:    {failure.check}\nexpected: {failure.expected}\ngot:      {failure.got}"
        )
        if failure.hint:
            parts.append(f"fix:      {failure.hint}")
    last = verdict.failures[-1] if verdict.failures else None
    if last and last.settings_diff:
        parts.append(
            f"\nsettings.py compared with what startproject made:\n{last.settings_diff.rstrip()}"
        )
    if last and last.server_output:
        parts.append(f"\nlast lines of the server's output:\n{last.server_output.rstrip()}")
    return "\n".join(parts)
