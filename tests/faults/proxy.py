"""A tiny real reverse proxy on 127.0.0.1 that can swallow one answer.

Put in front of WordPress, it forwards every request and relays every answer,
except that a request matching ``hold_when`` is forwarded (so WordPress does
the work and commits it) and its answer is then held back: the client waits
for a reply that never comes. That is the moment a crash hurts most: the post
exists, the bot does not know it. ``release()`` lets later requests through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

# Hop-by-hop headers, and the ones httpx already applied (it decodes gzip).
_NOT_RELAYED = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "host"}


@dataclass(frozen=True)
class ProxiedRequest:
    method: str
    path: str
    body: bytes


Matcher = Callable[[ProxiedRequest], bool]


class HoldingProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.hold_when: Matcher | None = None
        self.held = threading.Event()  # set once a matching answer is being held
        self._released = threading.Event()
        self._client = httpx.Client(timeout=30, follow_redirects=False)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def release(self) -> None:
        self.hold_when = None
        self._released.set()

    def _answer(self, request: ProxiedRequest, headers: dict[str, str]) -> httpx.Response | None:
        """Forward to WordPress; None when the answer is to be held back."""
        response = self._client.request(
            request.method, self.upstream + request.path, headers=headers, content=request.body
        )
        if self.hold_when is not None and self.hold_when(request):
            self.held.set()
            self._released.wait(60)
            return None
        return response

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = ProxiedRequest(
                    self.command, self.path, self.rfile.read(length) if length else b""
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _NOT_RELAYED}
                response = proxy._answer(request, headers)
                if response is None:
                    self.close_connection = True
                    return
                self.send_response(response.status_code)
                for name, value in response.headers.multi_items():
                    if name.lower() not in (*_NOT_RELAYED, "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> HoldingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


@contextmanager
def holding_proxy(upstream: str) -> Iterator[HoldingProxy]:
    proxy = HoldingProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def creates_rest_post(request: ProxiedRequest) -> bool:
    return request.method == "POST" and request.path.split("?")[0] == "/wp-json/wp/v2/posts"


def creates_xmlrpc_post(request: ProxiedRequest) -> bool:
    return request.path == "/xmlrpc.php" and b"<methodName>wp.newPost</methodName>" in request.body
