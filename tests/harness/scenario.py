"""One page, applied block by block to a fresh project, as a reader follows it.

Blocks apply in page order. Settings blocks edit ``settings.py``, other titled blocks
write their file, shell blocks run. ``runserver`` and ``gunicorn`` start real servers
that stay up for the ``curl`` commands after them; ``runserver`` is also checked on the
spot. Output a console block shows, and an error a block says it ends in, are compared
with the real ones. After the last block, the project's effective settings are checked
and, when WhiteNoise is in MIDDLEWARE, a real gunicorn with DEBUG=False is checked over
HTTP. Each check's verdict lands on the block responsible for it.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from . import checks, http_checks, outputs
from .checks import CheckResult
from .commands import SHELL_LANGUAGES, Command, CommandError, read_shell_block
from .fences import Block
from .fetch import request
from .packages import installed_problem
from .project import CommandResult, Project, ProjectFactory, SettingsError, run_command
from .servers import Server, ServerError, serve
from .settings_merge import SnippetError
from .verdicts import (
    FAILED,
    NOT_APPLICABLE,
    SKIPPED,
    BlockVerdict,
    Environment,
    Failure,
    OutputUpdate,
)
from .versions import format_line

#: The port runserver and gunicorn listen on when the command names none.
DEFAULT_PORT = 8000


class BlockFailed(Exception):
    """Applying a block went wrong; later blocks on the page cannot run."""

    def __init__(
        self, check: str, expected: str, got: str, hint: str = "", server_output: str = ""
    ):
        super().__init__(got)
        self.result = CheckResult(check, False, expected, got, None, hint)
        self.server_output = server_output


def run_page(
    blocks: list[Block], environment: Environment, factory: ProjectFactory, name: str
) -> list[BlockVerdict]:
    return PageRun(blocks, environment, factory, name).run()


class PageRun:
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
        self.collected = False  # the page ran collectstatic
        self.development_checked = False  # the page started runserver
        self.servers = ExitStack()  # the server the page started, if one runs
        self.server: Server | None = None
        self.shown_port = DEFAULT_PORT  # the port the page's server command names
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
                "settings-merge", "the snippet merges into settings.py", _at(block, exc)
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

    def _apply_shell(self, block: Block) -> None:
        try:
            commands = read_shell_block(block.source, block.language)
        except CommandError as exc:
            raise BlockFailed(
                "shell-command", "a command the harness can run", _at(block, exc)
            ) from None
        expects_error = "error" in block.options
        if "output" in block.options and not any(c.output for c in commands):
            raise BlockFailed(
                "fence", "output shown after a '$ ' command", 'output="..." and no output'
            )
        for index, command in enumerate(commands):
            if command.output and "output" not in block.options:
                raise BlockFailed(
                    "fence",
                    'output="exact" or output="partial" on a console block that shows output',
                    f"{block.location}: output shown without the option",
                )
            last = index == len(commands) - 1
            result = self._run_command(command, block, expect_failure=expects_error and last)
            if command.output:
                self._check_output(command, block, result)
            if expects_error and last:
                self._check_error(command, block, result)

    def _run_command(
        self, command: Command, block: Block, *, expect_failure: bool
    ) -> CommandResult | None:
        """Run one command; the result of those whose output a page may show."""
        if command.kind == "pip-install":
            self._check_installed(command, block)
        elif command.kind == "runserver":
            self._check_development_server(command, block)
        elif command.kind == "gunicorn":
            self._start_gunicorn(command, block)
        elif command.kind in ("startproject", "cd"):
            # The harness made the project with startproject; the page names the same one.
            self._record(CheckResult("project-created", True), block)
        elif command.kind == "curl":
            return self._curl(command, block)
        else:
            return self._run_manage(command, block, expect_failure=expect_failure)
        if command.output or expect_failure:
            raise BlockFailed(
                "fence",
                "output and errors only on manage.py and curl commands",
                f"{command.text!r} shows output or is expected to fail",
            )
        return None

    def _check_output(self, command: Command, block: Block, result: CommandResult | None) -> None:
        mode = block.options["output"]
        root = str(self.project.root)
        comparison = outputs.compare(list(command.output), result.output, mode, root)
        self._record(
            checks.outcome(
                "expected-output",
                comparison.ok,
                f"`{command.text}` prints what the page shows ({mode})",
                f"the line {comparison.missing!r} is not in what it printed:\n"
                f"{result.output.rstrip()}",
                hint="Run with --update-examples to write the real output into the page.",
            ),
            block,
        )
        if not comparison.ok and command.output_lines:
            first, last = command.output_lines
            self.verdicts[block.line].updates.append(
                OutputUpdate(
                    block.path.as_posix(),
                    block.line + first,
                    block.line + last,
                    tuple(outputs.rewritten(result.output, root, mode, list(command.output))),
                    block.indent,
                )
            )

    def _check_error(self, command: Command, block: Block, result: CommandResult | None) -> None:
        if result.ok:
            raise BlockFailed(
                "expected-error",
                block.options["error"],
                f"`{command.text}` succeeded:\n{result.tail()}",
            )
        self._expect_error(block, [outputs.last_exception(result.output) or result.tail()])

    def _check_installed(self, command: Command, block: Block) -> None:
        for text in command.args:
            try:
                requirement = Requirement(text)
            except InvalidRequirement as exc:
                raise BlockFailed(
                    "package-installed", "a package name", f"{text!r}: {exc}"
                ) from None
            problem = installed_problem(requirement)
            if problem:
                raise BlockFailed(
                    "package-installed", f"{text} installed in the test environment", problem
                )
        self._record(CheckResult("package-installed", True), block)

    def _run_manage(self, command: Command, block: Block, *, expect_failure: bool) -> CommandResult:
        collecting = command.args[0] == "collectstatic"
        extra = dict(command.env)
        # collectstatic reads the settings before it runs and checks its files after;
        # it changes no setting, so one read serves both.
        declared = self.project.declared_settings(extra) if collecting else {}
        if collecting:
            result = self._collectstatic(command, block, declared)
        else:
            result = self.project.manage(command.args, stdin="yes\n", extra=extra)
        if expect_failure:
            return result
        if not result.ok:
            self._diagnose_settings(block)
            raise BlockFailed(
                "command-succeeds",
                f"`{command.text}` exits 0",
                f"exit code {result.returncode}:\n{result.tail()}",
            )
        self._record(CheckResult("command-succeeds", True), block)
        if collecting:
            self.collected = True
            root = declared.get("STATIC_ROOT")
            # Entries are folders or (prefix, folder) pairs, which JSON makes lists.
            dirs = [
                (entry[0], Path(entry[1])) if isinstance(entry, list) else ("", Path(entry))
                for entry in declared.get("STATICFILES_DIRS", [])
            ]
            static_root = Path(root) if root else None
            self._record(checks.collected_files_check(static_root, dirs), block)
        return result

    def _collectstatic(self, command: Command, block: Block, declared: dict) -> CommandResult:
        """Run collectstatic, or reuse the result of an identical run on another page."""
        static_root = Path(str(declared.get("STATIC_ROOT") or ""))
        cache = self.factory.collect_cache
        extra = dict(command.env)
        run = partial(self.project.manage, command.args, stdin="yes\n", extra=extra)
        if not declared.get("STATIC_ROOT") or (static_root.exists() and any(static_root.iterdir())):
            return run()
        key = cache.key(self.project.root, (*command.args, *map("=".join, command.env)), declared)
        output = cache.get(key, self.project.root, static_root)
        if output is not None:
            self._record(CheckResult("collectstatic-reused", True), block)
            return CommandResult(tuple(command.args), 0, output)
        result = run()
        if result.ok:
            cache.put(key, self.project.root, static_root, result.output)
        return result

    def _check_development_server(self, command: Command, block: Block) -> None:
        options = [arg for arg in command.args[1:] if arg.startswith("-")]
        declared = self.project.declared_settings(dict(command.env))
        uses_whitenoise = checks.WHITENOISE_MIDDLEWARE in declared.get("MIDDLEWARE", [])
        self.development_checked = True
        addrport = [arg for arg in command.args[1:] if not arg.startswith("-")]
        server = self._start_server(
            command,
            lambda port: self.project.manage_argv(
                ("runserver", *options, "--noreload", f"127.0.0.1:{port}")
            ),
            shown_port=_port_of(addrport[0]) if addrport else DEFAULT_PORT,
        )
        get = partial(request, server.port)
        try:
            for result in http_checks.development_http_checks(get, uses_whitenoise):
                self._record(result, block, server_output=server.output_tail())
        except (OSError, http.client.HTTPException) as exc:
            raise BlockFailed(
                "server-answers",
                "the server answers HTTP",
                str(exc),
                server_output=server.output_tail(),
            ) from None

    def _start_gunicorn(self, command: Command, block: Block) -> None:
        args, bind = _without_bind(command.args)
        self._start_server(
            command,
            lambda port: [*self.project.gunicorn_argv(port, app=None), *args],
            shown_port=_port_of(bind) if bind else DEFAULT_PORT,
        )
        self._record(CheckResult("server-starts", True), block)

    def _start_server(self, command: Command, argv_for, shown_port: int) -> Server:
        """Start the page's server; it runs until the next one starts or the page ends."""
        self._stop_server()
        self.shown_port = shown_port
        log = self.project.root / f"{command.kind}.log"
        env = self.project.env(extra=dict(command.env))
        try:
            self.server = self.servers.enter_context(
                serve(argv_for, cwd=self.project.root, env=env, log_path=log)
            )
        except ServerError as exc:
            raise BlockFailed(
                "server-starts", f"`{command.text}` starts a server", str(exc)
            ) from None
        return self.server

    def _stop_server(self) -> None:
        self.servers.close()
        self.server = None

    def _curl(self, command: Command, block: Block) -> CommandResult:
        if self.server is None:
            raise BlockFailed(
                "server-running",
                "a server started by an earlier command (runserver or gunicorn)",
                f"`{command.text}` with no server running",
            )
        curl = shutil.which("curl")
        if curl is None:
            raise BlockFailed("curl-installed", "curl on PATH", "curl is not installed")
        args = [
            re.sub(
                rf"\b(127\.0\.0\.1|localhost):{self.shown_port}\b", rf"\1:{self.server.port}", arg
            )
            for arg in command.args
        ]
        # In a terminal curl shows no progress meter; through a pipe it would.
        result = run_command(
            [curl, "--no-progress-meter", *args],
            cwd=self.project.root,
            env=self.project.env(extra=dict(command.env)),
        )
        if not result.ok:
            raise BlockFailed(
                "command-succeeds",
                f"`{command.text}` exits 0",
                f"exit code {result.returncode}:\n{result.tail()}",
                server_output=self.server.output_tail(),
            )
        self._record(CheckResult("command-succeeds", True), block)
        return result

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


def _without_bind(args: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The page's gunicorn arguments minus the address (the harness picks a free port),
    and the address the page gave."""
    kept: list[str] = []
    bind = None
    taking = False
    for arg in args:
        if taking:
            bind, taking = arg, False
        elif arg in ("-b", "--bind"):
            taking = True
        elif arg.startswith(("--bind=", "-b")):
            bind = arg.split("=", 1)[1] if arg.startswith("--bind=") else arg[2:]
        else:
            kept.append(arg)
    return kept, bind


def _port_of(address: str) -> int:
    """``127.0.0.1:8000``, ``0:8000``, ``:8000`` or ``8000`` -> 8000."""
    port = address.rpartition(":")[2]
    return int(port) if port.isdigit() else DEFAULT_PORT


def _at(block: Block, exc: SnippetError | CommandError) -> str:
    """The error, with the Markdown line it comes from when one line is at fault."""
    if exc.line is None:
        return str(exc)
    return f"{block.path.as_posix()}:{block.line + exc.line}: {exc}"


def _unexpected(exc: Exception, doing: str) -> CheckResult:
    if isinstance(exc, subprocess.TimeoutExpired):
        got = f"`{' '.join(map(str, exc.cmd))}` did not finish within {exc.timeout:.0f} s"
    else:
        got = f"{type(exc).__name__}: {exc}"
    return CheckResult("harness", False, f"no error while {doing}", got)
