"""Page verdicts kept between runs, reused only while nothing that could change them has.

A page's key covers its own text and everything its run depends on: the ``examples/``
tree, this package's code and data, every installed distribution and its version, the
Python build, curl's version and the OS. Only pages that finished with no failed block
are stored; an entry that cannot be read, or whose key differs, is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from ..fences import Block
from ..records import BlockRecord, now
from ..verdicts import BlockVerdict, OutputUpdate, Reuse, Status

PACKAGE = Path(__file__).resolve().parents[1]
#: Bumped when the stored format changes, so old entries miss instead of misreading.
FORMAT = 2


def _hash_tree(digest: Any, root: Path) -> None:
    if not root.is_dir():
        digest.update(f"no {root.name}/\0".encode())
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")


def _curl_version() -> str:
    curl = shutil.which("curl")
    if curl is None:
        return "no curl"
    return subprocess.run(
        [curl, "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[0]


def environment_key(examples: Path) -> str:
    """What every page's result on this interpreter depends on besides its own text."""
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    _hash_tree(digest, examples)
    _hash_tree(digest, PACKAGE)
    installed = sorted(
        f"{dist.metadata['Name']}=={dist.version}".lower() for dist in distributions()
    )
    for part in (*installed, sys.version, _curl_version(), platform.platform()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def page_key(environment: str, page: Path, text: bytes) -> str:
    digest = hashlib.sha256(environment.encode() + b"\0" + page.as_posix().encode() + b"\0")
    digest.update(text)
    return digest.hexdigest()


@dataclass
class ResultStore:
    """One folder per Django line; one file per page, replaced when the page runs again."""

    folder: Path
    environment: str
    #: Read nothing (every page runs); still write what this run proves
    fresh: bool = False
    #: Entries that could not be read, said once at the end of the run
    warnings: list[str] = field(default_factory=list)
    #: Checks besides pages whose pass was reused, said at the end of the run
    reused: list[str] = field(default_factory=list)

    def _entry_path(self, page: Path) -> Path:
        return self.folder / f"{hashlib.sha256(page.as_posix().encode()).hexdigest()[:24]}.json"

    def get(self, page: Path, text: bytes, blocks: list[Block]) -> list[BlockVerdict] | None:
        data = self._entry(page, text)
        if data is None:
            return None
        try:
            return _verdicts_from(data, blocks)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.warnings.append(f"unreadable stored result for {page}, run again ({exc!r})")
            return None

    def passed_before(self, name: Path, text: bytes) -> str | None:
        """When a check with no blocks (``name``, its inputs ``text``) last passed with
        the same key, or None."""
        data = self._entry(name, text)
        if data is None:
            return None
        return str(data.get("finished") or "") or None

    def _entry(self, page: Path, text: bytes) -> dict[str, Any] | None:
        path = self._entry_path(page)
        if self.fresh or not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self.warnings.append(f"{path}: unreadable stored result for {page}, run again ({exc})")
            return None
        if not isinstance(data, dict):
            self.warnings.append(f"{path}: unreadable stored result for {page}, run again")
            return None
        return data if data.get("key") == page_key(self.environment, page, text) else None

    def put(
        self, page: Path, text: bytes, verdicts: list[BlockVerdict], finished: str | None = None
    ) -> None:
        """Keep a finished page's verdicts, unless a block failed. ``finished``: when the
        page's run ended (now, unless said)."""
        if any(v.status == Status.FAILED for v in verdicts):
            self._entry_path(page).unlink(missing_ok=True)
            return
        key = page_key(self.environment, page, text)
        entry = {
            "key": key,
            "page": page.as_posix(),
            "finished": finished or now(),
            "verdicts": [_entry_of(v) for v in verdicts],
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._entry_path(page)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(entry), encoding="utf-8")
        partial.replace(path)  # atomic: a reader sees the old entry or the new one


def _entry_of(verdict: BlockVerdict) -> dict[str, Any]:
    # Only a page that ran is stored, so its verdicts come from this run, never a reuse.
    return {
        "line": verdict.block.line,
        "digest": verdict.block.digest,
        "status": str(verdict.status),
        "reason": verdict.reason,
        "checks": verdict.checks,
        "updates": [vars(update) for update in verdict.updates],
        "record": verdict.record.to_json() if verdict.record else None,
    }


def _verdicts_from(data: dict[str, Any], blocks: list[Block]) -> list[BlockVerdict]:
    stored = {item["line"]: item for item in data["verdicts"]}
    if sorted(stored) != sorted(block.line for block in blocks):
        raise ValueError("the stored blocks are not the page's blocks")
    verdicts = []
    for block in blocks:
        item = stored[block.line]
        if item["digest"] != block.digest:
            raise ValueError(f"block at line {block.line} changed under the same key")
        status = Status(item["status"])
        if status == Status.FAILED:
            raise ValueError("a failed verdict was stored")
        verdicts.append(
            BlockVerdict(
                block,
                status,
                str(item["reason"]),
                [str(check) for check in item["checks"]],
                updates=[
                    OutputUpdate(**{**update, "lines": tuple(update["lines"])})
                    for update in item["updates"]
                ],
                reused=Reuse(data["key"], str(data["finished"])),
                record=BlockRecord.from_json(item["record"]) if item["record"] else None,
            )
        )
    return verdicts
