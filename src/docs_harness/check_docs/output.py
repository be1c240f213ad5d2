"""How check-docs says what it found: ``--format text`` for a terminal, ``json`` for a
program (the same report the harness writes), ``github`` for workflow annotations."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..report import build_report
from ..verdicts import Environment
from .page_check import BROKEN, NOT_CHECKABLE, SAID, Verdict


@dataclass
class Output:
    """Collects what a run found, and prints it as its format does."""

    environment: Environment
    verdicts: list[Verdict] = field(default_factory=list)
    #: (file, why it could not be checked)
    errors: list[tuple[Path, str]] = field(default_factory=list)

    def verdict(self, verdict: Verdict) -> None:
        self.verdicts.append(verdict)

    def error(self, path: Path, message: str) -> None:
        self.errors.append((path, message))

    def finish(self) -> None:
        """What is printed once every file is done."""

    @property
    def broken(self) -> int:
        return sum(v.status == BROKEN for v in self.verdicts)

    def report(self) -> dict:
        report = build_report(self.environment, self.verdicts, fixes=True)
        report["errors"] = [{"file": p.as_posix(), "message": m} for p, m in self.errors]
        return report


FORMATS: dict[str, Callable[[Environment], Output]] = {}


def output_format(name: str) -> Callable[[type[Output]], type[Output]]:
    def register(cls: type[Output]) -> type[Output]:
        FORMATS[name] = cls
        return cls

    return register


@output_format("text")
class Text(Output):
    def verdict(self, verdict: Verdict) -> None:
        super().verdict(verdict)
        detail = f": {verdict.reason}" if verdict.reason else ""
        fix = f"\n    fix: {verdict.fix}" if verdict.fix else ""
        print(f"{verdict.block.location}: {SAID[verdict.status]}{detail}{fix}", flush=True)

    def error(self, path: Path, message: str) -> None:
        super().error(path, message)
        print(f"check-docs: {path.as_posix()}: {message}", file=sys.stderr, flush=True)

    def finish(self) -> None:
        unread = f", {len(self.errors)} files not read" if self.errors else ""
        print(
            f"Django {self.environment.django}: {len(self.verdicts)} blocks, "
            f"{self.broken} broken{unread}"
        )


@output_format("json")
class Json(Output):
    def finish(self) -> None:
        print(json.dumps(self.report(), indent=2))


@output_format("github")
class GitHub(Output):
    """``::error file=...,line=...::...`` lines, which a workflow shows on the diff."""

    def verdict(self, verdict: Verdict) -> None:
        super().verdict(verdict)
        where = {"file": verdict.block.path.as_posix(), "line": str(verdict.block.line)}
        if verdict.status == BROKEN:
            title = f"check-docs {' '.join(verdict.checks)} (Django {self.environment.django})"
            text = f"{verdict.reason}\nFix: {verdict.fix}" if verdict.fix else verdict.reason
            _annotate("error", {**where, "title": title}, text)
        elif verdict.status == NOT_CHECKABLE:
            _annotate("notice", where, f"not checkable: {verdict.reason}")

    def error(self, path: Path, message: str) -> None:
        super().error(path, message)
        _annotate("error", {"file": path.as_posix()}, message)

    def finish(self) -> None:
        print(
            f"Django {self.environment.django}: {len(self.verdicts)} blocks, {self.broken} broken"
        )


def _annotate(level: str, properties: dict[str, str], message: str) -> None:
    fields = ",".join(f"{name}={_escape(value, True)}" for name, value in properties.items())
    print(f"::{level} {fields}::{_escape(message)}", flush=True)


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping: data escapes %, CR, LF; properties also : and ,."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text
