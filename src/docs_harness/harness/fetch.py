"""Plain HTTP requests to a server on 127.0.0.1; no redirects followed, no decoding."""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass

from .recording import note_exchange


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def describe(self) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(self.headers.items()))
        return f"HTTP {self.status} ({shown})"


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 15,
) -> Response:
    """One request. A connection closed before any reply is tried once more: on a busy
    2-core machine a sync gunicorn worker has dropped one now and then; twice fails."""
    try:
        return _request_once(port, path, method, headers, timeout)
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return _request_once(port, path, method, headers, timeout)


def _request_once(
    port: int, path: str, method: str, headers: Mapping[str, str] | None, timeout: float
) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        reply = connection.getresponse()
        body = reply.read()
        names = {k.lower(): v for k, v in reply.getheaders()}
        note_exchange(method, path, _sent(port, headers or {}), reply.status, names)
        return Response(reply.status, names, body)
    finally:
        connection.close()


def _sent(port: int, headers: Mapping[str, str]) -> dict[str, str]:
    """The headers http.client sends: ours, with the Host it adds and, when we name no
    encoding, the ``Accept-Encoding: identity`` it adds."""
    ours = {name.lower() for name in headers}
    sent = {} if "host" in ours else {"Host": f"127.0.0.1:{port}"}
    if "accept-encoding" not in ours:
        sent["Accept-Encoding"] = "identity"
    return {**sent, **headers}
