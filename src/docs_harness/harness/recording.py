"""Where a page run's commands and requests are noted: on the record of the block being
applied, if there is one (``check-docs`` runs with none, and nothing is noted).

A context variable, not an argument: commands and requests start deep below the block
handlers (``project.run_command``, ``servers.serve``, ``fetch.request``), and each page
runs in a thread of its own, which has its own value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from ..records import BlockRecord, CommandRun, Exchange, bounded

_current: ContextVar[BlockRecord | None] = ContextVar("block_record", default=None)


@contextmanager
def recording(record: BlockRecord) -> Iterator[BlockRecord]:
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def note_command(
    argv: Sequence[str], exit_status: int | None, output: str, note: str = ""
) -> CommandRun | None:
    """Note a command; a server's run is returned so its output can be added when it stops."""
    record = _current.get()
    if record is None:
        return None
    run = CommandRun(list(argv), exit_status, bounded(output), note)
    record.add("commands", run)
    return run


def note_exchange(
    method: str,
    path: str,
    request_headers: Mapping[str, str],
    status: int,
    response_headers: Mapping[str, str],
) -> None:
    record = _current.get()
    if record is not None:
        record.add(
            "exchanges",
            Exchange(method, path, dict(request_headers), status, dict(response_headers)),
        )
