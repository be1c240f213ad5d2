"""Shell blocks applied to a page's project: the steps behind each command.

``ShellSteps`` is part of ``scenario.PageRun``: it uses the run's project, factory
and verdicts, and its ``_record`` and ``_diagnose_settings`` methods. ``runserver`` and ``gunicorn`` start the page's
one server, which stays up for the ``curl`` commands after it.
"""

from __future__ import annotations

import http.client
import re
import shutil
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from . import checks, http_checks, outputs
from .checks import CheckResult
from .commands import (
    DEFAULT_PORT,
    Command,
    CommandError,
    port_of,
    read_shell_block,
    split_bind,
)
from .fences import Block
from .fetch import request
from .packages import installed_problem
from .project import CommandResult, Project, ProjectFactory, run_command
from .servers import Server, ServerError, serve
from .settings_merge import SnippetError
from .verdicts import BlockVerdict, OutputUpdate


class BlockFailed(Exception):
    """Applying a block went wrong; later blocks on the page cannot run."""

    def __init__(
        self, check: str, expected: str, got: str, hint: str = "", server_output: str = ""
    ):
        super().__init__(got)
        self.result = CheckResult(check, False, expected, got, None, hint)
        self.server_output = server_output


def at_line(block: Block, exc: SnippetError | CommandError) -> str:
    """The error, with the Markdown line it comes from when one line is at fault."""
    if exc.line is None:
        return str(exc)
    return f"{block.path.as_posix()}:{block.line + exc.line}: {exc}"


class ShellSteps:
    """The shell half of a page run."""

    project: Project
    factory: ProjectFactory
    verdicts: dict[int, BlockVerdict]

    def _init_servers(self) -> None:
        self.servers = ExitStack()  # the server the page started, if one runs
        self.server: Server | None = None
        self.shown_port = DEFAULT_PORT  # the port the page's server command names
        self.collected = False  # the page ran collectstatic
        self.development_checked = False  # the page started runserver

    def _apply_shell(self, block: Block) -> None:
        try:
            commands = read_shell_block(block.source, block.language)
        except CommandError as exc:
            raise BlockFailed(
                "shell-command", "a command the harness can run", at_line(block, exc)
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
            shown_port=port_of(addrport[0]) if addrport else DEFAULT_PORT,
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
        args, bind = split_bind(command.args)
        self._start_server(
            command,
            lambda port: [*self.project.gunicorn_argv(port, app=None), *args],
            shown_port=port_of(bind) if bind else DEFAULT_PORT,
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
