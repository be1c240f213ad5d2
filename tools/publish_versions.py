"""Build one version of the site per Django line into a mike branch, and push it.

    python tools/publish_versions.py --lines 3.2 4.0 ... 6.1 [--branch gh-pages]
        [--reports build/examples-report] [--remote origin --push]

Lines are given oldest first; the newest is aliased ``latest`` and made the default.
Nothing is built unless every line has a report with no failed block: a version is
published only with the proof its badges come from.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from docs_harness.report import LineReport, load_reports
from docs_harness.verdicts import Status

ROOT = Path(__file__).resolve().parents[1]

LATEST = "latest"


def report_problems(reports: dict[str, LineReport], lines: list[str]) -> list[str]:
    problems = []
    for line in lines:
        report = reports.get(line)
        if report is None:
            problems.append(f'Django {line}: no report; run nox -s "test-examples({line})"')
        elif failed := report.count(Status.FAILED):
            problems.append(f"Django {line}: {failed} blocks failed in {report.path}")
    return problems


def publish(lines: list[str], report_dir: Path, branch: str, remote: str, push: bool) -> None:
    env = {
        **os.environ,
        "DOCS_DJANGO_LINES": " ".join(lines),
        "DOCS_REPORTS": str(report_dir.resolve()),
    }
    if not _git("config", "user.name"):
        env.setdefault("GIT_COMMITTER_NAME", "Docs publisher")
        env.setdefault("GIT_COMMITTER_EMAIL", "docs-publisher@localhost")
    git_args = ["--branch", branch, "--remote", remote]
    if push and _git("ls-remote", "--heads", remote, branch):
        # mike compares the branch with the remote's; fetch it so a deploy adds to it.
        subprocess.run(
            ["git", "fetch", "--quiet", remote, f"+{branch}:refs/remotes/{remote}/{branch}"],
            check=True,
        )
    for line in lines:
        newest = line == lines[-1]
        aliases = [LATEST, "--update-aliases", "--alias-type", "copy"] if newest else []
        print(f"Building the version for Django {line}", flush=True)
        subprocess.run(
            ["mike", "deploy", *git_args, "--title", f"Django {line}", line, *aliases],
            check=True,
            env={**env, "DOCS_DJANGO_LINE": line},
        )
    subprocess.run(["mike", "set-default", *git_args, LATEST], check=True, env=env)
    if push:
        # One push once every version built: a failed build leaves the site as it was.
        subprocess.run(["git", "push", "--quiet", remote, branch], check=True)


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", nargs="+", required=True, help="Django lines, oldest first")
    parser.add_argument(
        "--reports",
        type=Path,
        default=Path(os.environ.get("DOCS_REPORTS", ROOT / "build" / "examples-report")),
    )
    parser.add_argument("--branch", default="gh-pages")
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--push", action="store_true", help="push the branch to --remote")
    args = parser.parse_args(argv)
    reports = load_reports(args.reports) if args.reports.is_dir() else {}
    problems = report_problems(reports, args.lines)
    if problems:
        print("Not publishing:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    publish(args.lines, args.reports, args.branch, args.remote, args.push)
    return 0


if __name__ == "__main__":
    sys.exit(main())
