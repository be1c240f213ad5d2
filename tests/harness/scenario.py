"""One page, applied block by block to a fresh project, as a reader follows it.

Blocks apply in page order. Settings blocks edit ``settings.py``, other titled blocks
write their file, shell blocks run (see ``shell_steps``). An error a block says it
ends in is compared with the real one. After the last block, the project's effective settings are checked
and, when WhiteNoise is in MIDDLEWARE, a real gunicorn with DEBUG=False is checked over
HTTP. Each check's verdict lands on the block responsible for it.
"""

from __future__ import annotations

import http.client
import re
import subprocess
from dataclasses import replace
from functools import partial
from pathlib import PurePosixPath

from . import checks, http_checks, outputs
from .checks import CheckResult
from .commands import SHELL_LANGUAGES
from .fences import Block
from .fetch import request
from .project import Project, ProjectFactory, SettingsError
from .servers import ServerError, serve
from .settings_merge import SnippetError
from .shell_steps import BlockFailed, ShellSteps, at_line
from .verdicts import (
    FAILED,
    NOT_APPLICABLE,
    SKIPPED,
    BlockVerdict,
    Environment,
    Failure,
)
from .versions import format_line


def run_page(
    blocks: list[Block], environment: Environment, factory: ProjectFactory, name: str
) -> list[BlockVerdict]:
    return PageRun(blocks, environment, factory, name).run()


class PageRun(ShellSteps):
    def __init__(
        self, blocks: list[Block], environment: Environment, factory: ProjectFactory, name: str
    ) -> None:
        self.blocks = blocks
        self.environment = environment
        self.factory = factory
        self.name = name
        self.verdicts = {block.line: BlockVerdict(block) for block in blocks}
        self.changed_by: dict[str, Block] = {}  # setting name -> block that last changed it
        self.project: Project | None = None
        self._init_servers()
        self.failed_as_shown: dict[int, set[str]] = {}  # block line -> checks seen failing

    def run(self) -> list[BlockVerdict]:
        try:
            return self._run()
        finally:
            self.servers.close()

    def _run(self) -> list[BlockVerdict]:
        to_apply = [block for block in self.blocks if self._needs_running(block)]
        failed: Block | None = None
        for block in to_apply:
            if failed is not None:
                self._set(block, SKIPPED, f"not run: {failed.location} failed before it")
                continue
            try:
                self._apply(block)
            except BlockFailed as exc:
                self._record(exc.result, block, server_output=exc.server_output, stops=True)
                failed = block
            except Exception as exc:  # a timeout, a broken reply: still this block's failure
                self._record(_unexpected(exc, "applying the block"), block)
                failed = block
        self._stop_server()
        if to_apply and failed is None:
            try:
                self._check_the_result(to_apply[-1])
            except Exception as exc:
                self._record(_unexpected(exc, "checking the result"), to_apply[-1])
        for block in to_apply:
            missing = _shown_failing(block) - self.failed_as_shown.get(block.line, set())
            if missing and self.verdicts[block.line].status not in (FAILED, SKIPPED):
                self._record(
                    CheckResult(
                        "fails-as-shown",
                        False,
                        f"{', '.join(sorted(missing))} failing, as the page shows",
                        "it passed" if block.line in self.failed_as_shown else "it never ran",
                    ),
                    block,
                )
        return [self.verdicts[block.line] for block in self.blocks]

    # --- bookkeeping -----------------------------------------------------------------

    def _needs_running(self, block: Block) -> bool:
        if block.error:
            self._record(
                CheckResult("fence", False, "a fence the harness can read", block.error), block
            )
            return False
        if not block.django.contains(self.environment.line):
            line = format_line(self.environment.line)
            self._set(block, NOT_APPLICABLE, f"for {block.django}, not Django {line}")
            return False
        if "skip" in block.options:
            reason = block.options["skip"].strip()
            if not reason:
                self._record(
                    CheckResult("fence", False, 'skip="a reason"', "skip with no reason"), block
                )
            else:
                self._set(block, SKIPPED, reason)
            return False
        return True

    def _set(self, block: Block, status: str, reason: str) -> None:
        verdict = self.verdicts[block.line]
        verdict.status, verdict.reason = status, reason

    def _record(
        self, result: CheckResult, current: Block, server_output: str = "", stops: bool = False
    ) -> None:
        """Record a check on the block it blames. ``stops``: the failure ends the page, so
        ``fails=`` cannot excuse it (``error=`` is how a page shows a command failing)."""
        block = self._blamed_block(result.blame) or current
        verdict = self.verdicts[block.line]
        if result.name not in verdict.checks:
            verdict.checks.append(result.name)
        if result.name in _shown_failing(block) and not stops:
            # The page shows this going wrong; it must go wrong.
            self.failed_as_shown.setdefault(block.line, set()).update(
                [] if result.ok else [result.name]
            )
            return
        if result.ok:
            return
        diff = self.project.settings_diff() if self.project else ""
        verdict.failures.append(
            Failure(result.name, result.expected, result.got, result.hint, diff, server_output)
        )
        verdict.status = FAILED
        verdict.reason = (
            verdict.reason or f"{result.name}: {result.got.splitlines()[0] if result.got else ''}"
        )

    def _blamed_block(self, blame: str | tuple[str, ...] | None) -> Block | None:
        names = (blame,) if isinstance(blame, str) else blame or ()
        return next((self.changed_by[n] for n in names if n in self.changed_by), None)

    # --- applying blocks ---------------------------------------------------------------

    def _apply(self, block: Block) -> None:
        if self.project is None:
            self.project = self.factory.new(self.name)
        title = block.options.get("title", "")
        if "output" in block.options and block.language != "console":
            raise BlockFailed(
                "fence", 'output="..." on a console block', f"a {block.language} block"
            )
        if block.is_python and title.endswith("settings.py"):
            self._apply_settings(block)
        elif title:
            self._write_file(block, title)
        elif block.language in SHELL_LANGUAGES:
            self._apply_shell(block)
        else:
            raise BlockFailed(
                "handler",
                "a block the harness knows how to run",
                f"no handler for a {block.language or 'plain'!s} block without a title",
                hint='Give the block title="path/of/the/file" to write it into the project, '
                'or add skip="why" if it is not meant to run.',
            )

    def _apply_settings(self, block: Block) -> None:
        before, ledger = self.project.settings_path.read_text(), dict(self.changed_by)
        try:
            deleting = block.options.get("edit") == "delete"
            touched = self.project.apply_settings(block.source, delete=deleting)
        except SnippetError as exc:
            raise BlockFailed(
                "settings-merge", "the snippet merges into settings.py", at_line(block, exc)
            ) from None
        for name in touched:
            self.changed_by[name] = block
        self._record(CheckResult("settings-merge", True), block)
        if "error" in block.options:
            # The page shows what goes wrong; the reader does not keep it.
            errors = self._settings_errors()
            self.project.settings_path.write_text(before)
            self.changed_by = ledger
            self._expect_error(block, errors)
            return
        try:
            self.project.declared_settings()
        except SettingsError as exc:
            raise BlockFailed("settings-load", "settings.py still runs", str(exc)) from None
        self._record(CheckResult("settings-load", True), block)

    def _settings_errors(self) -> list[str]:
        """Each error Django raises with these settings, as ``Type: message``."""
        try:
            self.project.declared_settings()
        except SettingsError as exc:
            return [str(exc)]
        facts = self.project.facts(production=False)
        found = [
            facts.get("settings_error"),
            facts.get("default_storage_error"),
            facts.get("staticfiles_storage_error"),
            *facts.get("middleware_errors", {}).values(),
        ]
        return [error for error in found if error]

    def _expect_error(self, block: Block, errors: list[str]) -> None:
        expected = block.options["error"]
        root = str(self.project.root)
        ok = any(outputs.same_exception(expected, error, root) for error in errors)
        got = "\n".join(errors) if errors else "no error: Django starts and its checks pass"
        self._record(checks.outcome("expected-error", ok, expected, got), block)

    def _write_file(self, block: Block, title: str) -> None:
        relative = PurePosixPath(title)
        if relative.is_absolute() or ".." in relative.parts:
            raise BlockFailed("file-written", "a path inside the project", f"title={title!r}")
        if re.search(r"^\s*(#\s*)?(\.\.\.|…)\s*$", block.source, re.M):
            raise BlockFailed(
                "file-written",
                "a whole file",
                f"{title} shows `...`; only settings.py blocks are merged",
                hint="Show the whole file, or only the lines of a settings.py block.",
            )
        target = self.project.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.source)
        self._record(CheckResult("file-written", True), block)

    def _diagnose_settings(self, current: Block) -> None:
        """A command failed: point at the settings block behind it, if one is."""
        facts = self.project.facts(production=True)
        if facts["settings_error"]:
            return
        for result in checks.configuration_checks(facts, self.environment.line):
            if not result.ok and self._blamed_block(result.blame) not in (None, current):
                self._record(result, current)

    # --- after the last block ------------------------------------------------------------

    def _check_the_result(self, last: Block) -> None:
        facts = self.project.facts(production=True)
        if facts["settings_error"]:
            blame = (
                ("STORAGES", "STATICFILES_STORAGE")
                if "mutually exclusive" in facts["settings_error"]
                else None
            )
            self._record(
                CheckResult(
                    "django-setup",
                    False,
                    "Django starts with these settings",
                    facts["settings_error"],
                    blame,
                ),
                last,
            )
            return
        for result in checks.configuration_checks(facts, self.environment.line):
            self._record(result, last)
        # A page that only shows development (runserver, no collectstatic) is not
        # claiming anything about production, so no production server is checked.
        production = self.collected or not self.development_checked
        if (
            production
            and checks.WHITENOISE_MIDDLEWARE in facts["middleware"]
            and not facts["middleware_errors"]
        ):
            self._check_production_server(facts, last)

    def _check_production_server(self, facts: dict, last: Block) -> None:
        log = self.project.root / "gunicorn.log"
        static_url = "/" + re.sub(r"^/|^https?://[^/]+/", "", facts["static_url"])
        # Under FORCE_SCRIPT_NAME, gunicorn strips SCRIPT_NAME as a proxy would.
        script_name = (facts.get("force_script_name") or "").rstrip("/")
        env = self.project.env(production=True)
        if script_name:
            env["SCRIPT_NAME"] = script_name
        try:
            with serve(
                self.project.gunicorn_argv, cwd=self.project.root, env=env, log_path=log
            ) as server:
                get = partial(request, server.port)
                for result in http_checks.production_http_checks(
                    get, facts, static_url, self.project.root, script_name
                ):
                    if not result.ok and not self.collected:
                        result = replace(
                            result,
                            hint=f"{result.hint} The page never runs collectstatic, "
                            "so STATIC_ROOT is empty and WhiteNoise has nothing to serve.".strip(),
                        )
                    self._record(result, last, server_output=server.output_tail())
        except (ServerError, OSError, http.client.HTTPException) as exc:
            self._record(
                CheckResult(
                    "production-server",
                    False,
                    "gunicorn serves the project with DEBUG=False",
                    str(exc),
                ),
                last,
                server_output=log.read_text(errors="replace")[-3000:],
            )


def _shown_failing(block: Block) -> set[str]:
    """Checks that ``fails="a,b"`` says this block demonstrates failing."""
    return {name.strip() for name in block.options.get("fails", "").split(",") if name.strip()}


def _unexpected(exc: Exception, doing: str) -> CheckResult:
    if isinstance(exc, subprocess.TimeoutExpired):
        got = f"`{' '.join(map(str, exc.cmd))}` did not finish within {exc.timeout:.0f} s"
    else:
        got = f"{type(exc).__name__}: {exc}"
    return CheckResult("harness", False, f"no error while {doing}", got)
