"""What one page run holds while its blocks apply: the project, its one server, the
verdicts so far and which block last changed each setting.

Block handlers (``blocks``) and command handlers (``shell_steps``) receive it and
record their checks through it; ``scenario`` makes one per page and reads the verdicts.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property, partial

from ..fences import Block
from ..records import BlockRecord, CheckRecord, bounded
from ..verdicts import BlockVerdict, Environment, Failure, Status
from . import checks, outputs, shown_urls
from .checks import Blame, CheckResult
from .commands import DEFAULT_PORT, CommandError
from .fetch import Response, request
from .project import Project, ProjectFactory, SettingsError
from .servers import Server, ServerError, serve
from .settings_merge import SnippetError


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


def shown_failing(block: Block) -> set[str]:
    """Checks that ``fails="a,b"`` says this block demonstrates failing."""
    return {name.strip() for name in block.options.get("fails", "").split(",") if name.strip()}


@dataclass
class PageContext:
    blocks: list[Block]
    environment: Environment
    factory: ProjectFactory
    name: str
    verdicts: dict[int, BlockVerdict] = field(init=False)
    #: block line -> what running it did (kept on the verdicts of the blocks that ran)
    records: dict[int, BlockRecord] = field(init=False)
    #: setting name -> the block that last changed it
    changed_by: dict[str, Block] = field(default_factory=dict)
    #: block line -> checks seen failing that the block shows failing (``fails=``)
    failed_as_shown: dict[int, set[str]] = field(default_factory=dict)
    _project: Project | None = None
    #: the server the page started, if one runs, and the port its command names
    server: Server | None = None
    shown_port: int = DEFAULT_PORT
    servers: ExitStack = field(default_factory=ExitStack)
    #: the page ran collectstatic / started runserver
    collected: bool = False
    development_checked: bool = False
    #: URL paths shown in output and not yet requested (no server was running)
    unrequested: list[tuple[Block, shown_urls.ShownUrl]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.verdicts = {block.line: BlockVerdict(block) for block in self.blocks}
        self.records = {
            block.line: BlockRecord(block.path.as_posix(), block.line, block.digest)
            for block in self.blocks
        }

    @property
    def project(self) -> Project:
        """The page's project, made from startproject when a block first needs it."""
        if self._project is None:
            self._project = self.factory.new(self.name)
        return self._project

    @property
    def has_project(self) -> bool:
        return self._project is not None

    # --- verdicts ----------------------------------------------------------------------

    def set(self, block: Block, status: Status, reason: str) -> None:
        verdict = self.verdicts[block.line]
        verdict.status, verdict.reason = status, reason

    def record(
        self, result: CheckResult, current: Block, server_output: str = "", stops: bool = False
    ) -> None:
        """Record a check on the block it blames. ``stops``: the failure ends the page, so
        ``fails=`` cannot excuse it (``error=`` is how a page shows a command failing)."""
        block = self.blamed_block(result.blame) or current
        verdict = self.verdicts[block.line]
        if result.name not in verdict.checks:
            verdict.checks.append(result.name)
        self.records[block.line].add(
            "checks",
            CheckRecord(
                result.name,
                result.ok,
                bounded(result.expected),
                bounded(result.got),
                as_shown=result.name in shown_failing(block) and not stops,
                evidence_at=current.line if block is not current else None,
            ),
        )
        if result.name in shown_failing(block) and not stops:
            # The page shows this going wrong; it must go wrong.
            self.failed_as_shown.setdefault(block.line, set()).update(
                [] if result.ok else [result.name]
            )
            return
        if result.ok:
            return
        diff = self._project.settings_diff() if self._project else ""
        verdict.failures.append(
            Failure(result.name, result.expected, result.got, result.hint, diff, server_output)
        )
        verdict.status = Status.FAILED
        verdict.reason = (
            verdict.reason or f"{result.name}: {result.got.splitlines()[0] if result.got else ''}"
        )

    def blamed_block(self, blame: Blame) -> Block | None:
        names = (blame,) if isinstance(blame, str) else blame or ()
        return next((self.changed_by[n] for n in names if n in self.changed_by), None)

    # --- settings ----------------------------------------------------------------------

    def diagnose_settings(self, current: Block) -> None:
        """A command failed: point at the settings block behind it, if one is."""
        facts = self.project.facts(production=True)
        if facts["settings_error"]:
            return
        for result in checks.configuration_checks(facts, self.environment.line):
            if not result.ok and self.blamed_block(result.blame) not in (None, current):
                self.record(result, current)

    def settings_errors(self) -> list[str]:
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

    def expect_error(self, block: Block, errors: list[str]) -> None:
        expected = block.options["error"]
        root = str(self.project.root)
        ok = any(outputs.same_exception(expected, error, root) for error in errors)
        got = "\n".join(errors) if errors else "no error: Django starts and its checks pass"
        self.record(checks.outcome("expected-error", ok, expected, got), block)

    # --- URLs the page shows ---------------------------------------------------------------

    @cached_property
    def shown_statuses(self) -> shown_urls.Statuses:
        return shown_urls.statuses_shown(self.blocks)

    def show_urls(self, block: Block, command: str, shown: list[str], real: str) -> None:
        """The project's URL paths in what ``command`` printed and the page shows are
        requested: now from the running server, or from the next one to start."""
        paths = shown_urls.paths_shown(shown, real, str(self.project.root))
        if not paths:
            return
        try:
            declared = self.project.declared_settings()
        except SettingsError:
            return  # the settings block that broke them fails for it
        static_url = str(declared.get("STATIC_URL") or "")
        script_name = str(declared.get("FORCE_SCRIPT_NAME") or "")
        for path in shown_urls.served_paths(paths, static_url, script_name):
            self.unrequested.append((block, shown_urls.shown(path, command, self.shown_statuses)))
        if self.server is not None:
            self.request_shown(partial(request, self.server.port), self.server.output_tail())

    def request_shown(self, get: Callable[..., Response], server_output: str = "") -> None:
        for block, url in self.unrequested:
            response = get(url.path)
            statuses = " or ".join(map(str, sorted(url.statuses)))
            self.record(
                checks.outcome(
                    "shown-url",
                    response.status in url.statuses,
                    f"GET {url.path}, shown in what `{url.command}` prints, answers {statuses}",
                    response.describe(),
                    hint="A reader opens the URLs a page shows. Show the status it really "
                    "answers (a curl on the page), or fix what the page does.",
                ),
                block,
                server_output=server_output,
            )
        self.unrequested.clear()

    # --- the page's one server -----------------------------------------------------------

    def start_server(
        self,
        text: str,
        log_name: str,
        argv_for: Callable[[int], list[str]],
        env: dict[str, str],
        shown_port: int,
    ) -> Server:
        """Start the page's server; it runs until the next one starts or the page ends."""
        self.stop_server()
        self.shown_port = shown_port
        log = self.project.root / f"{log_name}.log"
        try:
            self.server = self.servers.enter_context(
                serve(argv_for, cwd=self.project.root, env=env, log_path=log)
            )
        except ServerError as exc:
            raise BlockFailed("server-starts", f"`{text}` starts a server", str(exc)) from None
        self.request_shown(partial(request, self.server.port))
        return self.server

    def stop_server(self) -> None:
        self.servers.close()
        self.server = None
