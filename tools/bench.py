"""``nox -s bench``: what proving the docs costs, beside the floor, from one run.

The floor is what no run can avoid: one ``collectstatic`` and one server start with one
request per page, measured here (``bench_floor.py``) and multiplied by the pages. Each
timing is a real nox run; "edited" appends a blank line to one page and puts it back.

Usage (nox passes these), with the interpreter that runs nox:
    python tools/bench.py FLOOR_PYTHON LINE LINE...
FLOOR_PYTHON has this package and the first line's Django; the first line is timed alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "build" / "examples-report"
EDITED = ROOT / "docs" / "how-to" / "brotli.md"
NOX = (sys.executable, "-m", "nox", "--reuse-venv=yes", "--no-install")


def nox(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([*NOX, *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench: nox {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds


@contextmanager
def edited(page: Path):
    original = page.read_bytes()
    page.write_bytes(original + b"\n")
    try:
        yield
    finally:
        page.write_bytes(original)


def floor_per_page(python: str) -> float:
    printed = subprocess.run(
        [python, str(ROOT / "tools" / "bench_floor.py"), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    steps = json.loads(printed)
    return steps["collectstatic"] + steps["server + one request"]


def profile(line: str) -> str:
    data = json.loads((REPORTS / f"profile-django-{line}.json").read_text())
    counts = ", ".join(f"{kind} {n}" for kind, n in data["started"].items())
    pages = sorted(data["pages"], key=lambda page: -(page["seconds"] or 0))
    shown = "  ".join(f"{Path(p['page']).name} {p['seconds'] or 0:.1f}" for p in pages)
    return f"  {line}: {counts}\n      s/page: {shown}"


def main(floor_python: str, lines: list[str]) -> None:
    one = lines[0]
    pages = len(list((ROOT / "docs").rglob("*.md")))
    floor = floor_per_page(floor_python) * pages
    session = f"test-examples({one})"
    rows: list[tuple[str, float, float]] = []

    def timed(label: str, run: Callable[[], float], lines_in_it: int) -> None:
        rows.append((label, run(), floor * lines_in_it))
        print(f"bench: {label}: {rows[-1][1]:.1f} s", flush=True)

    timed(f"one line ({one}) cold, --fresh", lambda: nox("-s", session, "--", "--fresh"), 1)
    profiles = [profile(one)]
    timed(f"one line ({one}) unchanged", lambda: nox("-s", session), 1)
    with edited(EDITED):
        timed(f"one line ({one}), one page edited", lambda: nox("-s", session), 1)
    timed("nine lines cold, --fresh", lambda: nox("-s", "test-examples", "--", "--fresh"), 9)
    profiles += [profile(line) for line in lines[1:]]
    timed("nine lines unchanged", lambda: nox("-s", "test-examples"), 9)
    with edited(EDITED):
        timed("nine lines, one page edited", lambda: nox("-s", "test-examples"), 9)
    nox("-s", "test-examples")  # the store back to the page as it is

    print("\nProfile per line (what each started; seconds per page, slowest first, cold):")
    print("\n".join(profiles))
    print(f"\nFloor: {floor / pages:.2f} s per page x {pages} pages = {floor:.1f} s per line")
    print(f"{'run':<40}{'seconds':>9}{'floor':>9}{'x floor':>9}")
    for label, seconds, its_floor in rows:
        print(f"{label:<40}{seconds:9.1f}{its_floor:9.1f}{seconds / its_floor:9.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
