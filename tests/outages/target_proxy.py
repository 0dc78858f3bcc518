"""A switchable proxy in front of the real WordPress, for taking the target down under
the daemon: it relays (up), refuses connections (its port closed), or answers every
request itself with a status (503, or 429 with a Retry-After). Every request that
reached it is counted, with the mode it met, so a test can say how many calls the
bot made while the site was down."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import httpx

from tests.faults.proxy import HoldingProxy, ProxiedRequest


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic()
    mode: str  # "up", or the status answered in its place ("503", "429")
    method: str
    path: str


class OutageProxy(HoldingProxy):
    def __init__(self, upstream: str):
        super().__init__(upstream)
        self.port = self._server.server_address[1]
        self.seen: list[Seen] = []
        self._status: int | None = None
        self._retry_after: str | None = None

    # --- the switches ------------------------------------------------------

    def answer(self, status: int, retry_after: str | None = None) -> None:
        """Answer every request with `status` (and Retry-After), WordPress not asked."""
        self._status, self._retry_after = status, retry_after
        self._listen()

    def refuse(self) -> None:
        """Close the port: connections are refused, as by a site whose server is down."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def up(self) -> None:
        """Relay to WordPress again, on the same port."""
        self._status = None
        self._listen()

    def _listen(self) -> None:
        if self._server.socket.fileno() == -1:  # refusing: listen again, on the same port
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
            self._thread.start()

    # --- counting ------------------------------------------------------------

    def requests_between(self, start: float, end: float) -> list[Seen]:
        return [seen for seen in self.seen if start <= seen.at < end]

    def _answer(self, request: ProxiedRequest, headers: dict[str, str]) -> httpx.Response | None:
        status, retry_after = self._status, self._retry_after
        mode = str(status) if status else "up"
        self.seen.append(Seen(time.monotonic(), mode, request.method, request.path))
        if status is None:
            return super()._answer(request, headers)
        extra = {"Retry-After": retry_after} if retry_after else {}
        return httpx.Response(status, headers=extra, text="Service indisponible, réessayez.")


@contextmanager
def outage_proxy(upstream: str) -> Iterator[OutageProxy]:
    proxy = OutageProxy(upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.up()  # stop() shuts down a serving server
        proxy.stop()
