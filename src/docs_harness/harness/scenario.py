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

from ..fences import Block
from ..records import bounded
from ..rules import STORAGE_SETTINGS, WHITENOISE_MIDDLEWARE, rule
from ..verdicts import BlockVerdict, Environment, Status
from ..versions import format_line
from . import checks, http_checks
from .blocks import apply_block
from .checks import CheckResult
from .fetch import request
from .page_context import BlockFailed, PageContext, shown_failing
from .project import Facts, ProjectFactory
from .recording import recording
from .servers import ServerError, serve


def run_page(
    blocks: list[Block], environment: Environment, factory: ProjectFactory, name: str
) -> list[BlockVerdict]:
    return PageRun(blocks, environment, factory, name).run()


class PageRun:
    def __init__(
        self, blocks: list[Block], environment: Environment, factory: ProjectFactory, name: str
    ) -> None:
        self.blocks = blocks
        self.ctx = PageContext(blocks, environment, factory, name)

    def run(self) -> list[BlockVerdict]:
        try:
            return self._run()
        finally:
            self.ctx.stop_server()

    def _run(self) -> list[BlockVerdict]:
        to_apply = [block for block in self.blocks if self._needs_running(block)]
        failed: Block | None = None
        for block in to_apply:
            if failed is not None:
                self.ctx.set(block, Status.SKIPPED, f"not run: {failed.location} failed before it")
                continue
            try:
                with recording(self.ctx.records[block.line]):
                    apply_block(self.ctx, block)
            except BlockFailed as exc:
                self.ctx.record(exc.result, block, server_output=exc.server_output, stops=True)
                failed = block
            except Exception as exc:  # a timeout, a broken reply: still this block's failure
                self.ctx.record(_unexpected(exc, "applying the block"), block)
                failed = block
            self._note_settings(block)
        self.ctx.stop_server()
        if to_apply and failed is None:
            with recording(self.ctx.records[to_apply[-1].line]):
                try:
                    self._check_the_result(to_apply[-1])
                except Exception as exc:
                    self.ctx.record(_unexpected(exc, "checking the result"), to_apply[-1])
        for block in to_apply:
            missing = shown_failing(block) - self.ctx.failed_as_shown.get(block.line, set())
            if missing and self.ctx.verdicts[block.line].status not in (
                Status.FAILED,
                Status.SKIPPED,
            ):
                self.ctx.record(
                    CheckResult(
                        "fails-as-shown",
                        False,
                        f"{', '.join(sorted(missing))} failing, as the page shows",
                        "it passed" if block.line in self.ctx.failed_as_shown else "it never ran",
                    ),
                    block,
                )
        for block in to_apply:
            verdict = self.ctx.verdicts[block.line]
            if verdict.status in (Status.PASSED, Status.FAILED):
                verdict.record = self.ctx.records[block.line]
                verdict.record.status = str(verdict.status)
        return [self.ctx.verdicts[block.line] for block in self.blocks]

    def _note_settings(self, block: Block) -> None:
        # Evidence only: a settings.py that cannot be read fails the next block, not this.
        if self.ctx.has_project and self.ctx.project.settings_path.is_file():
            diff = self.ctx.project.settings_diff(after=f"line {block.line}")
            self.ctx.records[block.line].settings_diff = bounded(diff)

    def _needs_running(self, block: Block) -> bool:
        if block.error:
            self.ctx.record(
                CheckResult("fence", False, "a fence the harness can read", block.error), block
            )
            return False
        if not block.django.contains(self.ctx.environment.line):
            line = format_line(self.ctx.environment.line)
            self.ctx.set(block, Status.NOT_APPLICABLE, f"for {block.django}, not Django {line}")
            return False
        if "skip" in block.options:
            reason = block.options["skip"].strip()
            if not reason:
                self.ctx.record(
                    CheckResult("fence", False, 'skip="a reason"', "skip with no reason"), block
                )
            else:
                self.ctx.set(block, Status.SKIPPED, reason)
            return False
        return True

    # --- after the last block ------------------------------------------------------------

    def _check_the_result(self, last: Block) -> None:
        facts = self.ctx.project.facts(production=True)
        if error := facts["settings_error"]:
            rejected = rule("storage-settings-rejected")
            if "mutually exclusive" in error:
                result = CheckResult(
                    "django-setup", False, "Django starts with these settings",
                    f"{rejected.code} {error}", STORAGE_SETTINGS, rejected.fix,
                )  # fmt: skip
            else:
                result = CheckResult(
                    "django-setup", False, "Django starts with these settings", error
                )
            self.ctx.record(result, last)
            return
        for result in checks.configuration_checks(facts, self.ctx.environment.line):
            self.ctx.record(result, last)
        # A page that only shows development (runserver, no collectstatic) is not
        # claiming anything about production, so no production server is checked.
        production = self.ctx.collected or not self.ctx.development_checked
        if (
            production
            and WHITENOISE_MIDDLEWARE in facts["middleware"]
            and not facts["middleware_errors"]
        ):
            self._check_production_server(facts, last)

    def _check_production_server(self, facts: Facts, last: Block) -> None:
        log = self.ctx.project.root / "gunicorn.log"
        static_url = "/" + re.sub(r"^/|^https?://[^/]+/", "", facts["static_url"])
        # Under FORCE_SCRIPT_NAME, gunicorn strips SCRIPT_NAME as a proxy would.
        script_name = (facts.get("force_script_name") or "").rstrip("/")
        env = self.ctx.project.env(production=True)
        if script_name:
            env["SCRIPT_NAME"] = script_name
        try:
            with serve(
                self.ctx.project.gunicorn_argv, cwd=self.ctx.project.root, env=env, log_path=log,
                note="Not a command of the page: after its last block, the project is "
                "served with DEBUG = False and checked over HTTP.",
            ) as server:  # fmt: skip
                get = partial(request, server.port)
                self.ctx.request_shown(get, server.output_tail())
                for result in http_checks.production_http_checks(
                    get, facts, static_url, self.ctx.project.root, script_name
                ):
                    if not result.ok and not self.ctx.collected:
                        result = replace(
                            result,
                            hint=f"{result.hint} The page never runs collectstatic, "
                            "so STATIC_ROOT is empty and WhiteNoise has nothing to serve.".strip(),
                        )
                    self.ctx.record(result, last, server_output=server.output_tail())
        except (ServerError, OSError, http.client.HTTPException) as exc:
            self.ctx.record(
                CheckResult(
                    "production-server",
                    False,
                    "gunicorn serves the project with DEBUG=False",
                    str(exc),
                ),
                last,
                server_output=log.read_text(errors="replace")[-3000:],
            )


def _unexpected(exc: Exception, doing: str) -> CheckResult:
    if isinstance(exc, subprocess.TimeoutExpired):
        got = f"`{' '.join(map(str, exc.cmd))}` did not finish within {exc.timeout:.0f} s"
    else:
        got = f"{type(exc).__name__}: {exc}"
    return CheckResult("harness", False, f"no error while {doing}", got)
