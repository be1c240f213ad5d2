"""Run records: what a run did for each block, kept beside the report as its evidence.

``build/examples-report/records-django-<X.Y>.json`` holds, for every block a complete
run of one line ran, the commands it ran and what they printed, each HTTP request and
its response, each check with what it expected and what came, and ``settings.py``
compared with what ``startproject`` made after the block. Its header names the
versions the run used. The site renders them as pages; a badge links to its block's.

Sizes are bounded so that a record stays readable and a site stays small: a text
keeps its first ``TEXT_LIMIT`` characters, a list its first ``LIST_LIMIT`` items, and
each says how much it left out.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .versions import format_line, parse_line

if TYPE_CHECKING:
    from .verdicts import Environment, Reuse

#: Characters kept of one output, diff or value
TEXT_LIMIT = 4000
#: Commands, requests or checks kept for one block
LIST_LIMIT = 40


def bounded(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text``, or its first ``limit`` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters not kept]"


@dataclass
class CommandRun:
    """A command the block ran, as run (real paths and ports), and what it printed.
    ``exit_status`` is None for a server, which runs on past the block."""

    argv: list[str]
    exit_status: int | None
    output: str
    #: Said when the output is not this command's own run
    note: str = ""


@dataclass
class Exchange:
    """One HTTP request to the project's server and its response (no body)."""

    method: str
    path: str
    request_headers: dict[str, str]
    status: int
    response_headers: dict[str, str]


@dataclass
class CheckRecord:
    name: str
    ok: bool
    expected: str
    #: What came instead; empty when the check passed
    got: str = ""
    #: The page shows this check failing (``fails=``), so failing is what it must do
    as_shown: bool = False
    #: The line of the block whose record holds this check's commands and requests,
    #: when the check landed on another block (the one it blames)
    evidence_at: int | None = None


@dataclass
class BlockRecord:
    """Everything one block's run left; appended to while the page runs."""

    file: str
    line: int
    digest: str
    commands: list[CommandRun] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    checks: list[CheckRecord] = field(default_factory=list)
    settings_diff: str = ""
    #: What the lists left out, by list name
    left_out: dict[str, int] = field(default_factory=dict)
    #: The block's verdict, and when the run of its page finished
    status: str = ""
    ran: str = ""

    def add(self, kind: str, item: Any) -> None:
        items = getattr(self, kind)
        if len(items) < LIST_LIMIT:
            items.append(item)
        else:
            self.left_out[kind] = self.left_out.get(kind, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BlockRecord:
        return cls(
            file=str(data["file"]),
            line=int(data["line"]),
            digest=str(data["digest"]),
            commands=[CommandRun(**item) for item in data["commands"]],
            exchanges=[Exchange(**item) for item in data["exchanges"]],
            checks=[CheckRecord(**item) for item in data["checks"]],
            settings_diff=str(data["settings_diff"]),
            left_out={str(k): int(v) for k, v in data.get("left_out", {}).items()},
            status=str(data["status"]),
            ran=str(data["ran"]),
        )


def now() -> str:
    """A run's finish time as reports, records and the result store write it (UTC)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def records_path(report_dir: Path, line: str) -> Path:
    """Beside ``django-<X.Y>.json``; a name ``load_reports`` does not read as a report."""
    return report_dir / f"records-django-{line}.json"


def _gunicorn() -> str:
    try:
        return version("gunicorn")
    except PackageNotFoundError:
        return "not installed"


def _system() -> str:
    try:
        release = platform.freedesktop_os_release()
        name = release.get("PRETTY_NAME") or release.get("NAME", "")
    except (OSError, AttributeError):
        name = ""
    return f"{name or platform.system()} ({platform.system()} {platform.release()}, {platform.machine()})"


def build_records(
    environment: Environment, blocks: list[tuple[BlockRecord, Reuse | None]]
) -> dict[str, Any]:
    """The records file of one run: its versions, then each block's record (which says
    when its page's run finished) and, for a reused verdict, that run's key and date."""
    return {
        "django": environment.django,
        "whitenoise": environment.whitenoise,
        "python": environment.python,
        "gunicorn": _gunicorn(),
        "os": _system(),
        "finished": now(),
        "blocks": [
            {**record.to_json(), "reused": asdict(reused) if reused else None}
            for record, reused in blocks
        ],
    }


def write_records(path: Path, records: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")


# --- reading (the site) -------------------------------------------------------------


#: A block's record as read back, and its reused origin or None
Found = tuple[BlockRecord, "dict[str, str] | None"]


@dataclass(frozen=True)
class LineRecords:
    """One line's records file, read back: the run's versions and each block's record."""

    line: str
    versions: dict[str, str]
    path: Path
    blocks: dict[tuple[str, int], Found]

    def record(self, file: str, line: int, digest: str) -> Found | None:
        """The block's record while the page holds the same block text, else None."""
        found = self.blocks.get((file, line))
        return found if found and found[0].digest == digest else None


class RecordsError(ValueError):
    """A records file that cannot be read; the message names the file."""


def load_records(report_dir: Path, line: str) -> LineRecords | None:
    """``records-django-<line>.json`` in ``report_dir``; None if there is none."""
    path = records_path(report_dir, line)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if format_line(parse_line(data["django"])) != line:
            raise ValueError(f"it is for Django {data['django']}")
        versions = {
            name: str(data.get(name) or "?")
            for name in ("django", "whitenoise", "python", "gunicorn", "os", "finished")
        }
        blocks = {
            (item["file"], item["line"]): (BlockRecord.from_json(item), item.get("reused"))
            for item in data["blocks"]
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RecordsError(f"{path}: not a records file ({exc!r})") from exc
    return LineRecords(line, versions, path, blocks)
