"""A real, scriptable HTTP server on 127.0.0.1 for the tests of the whole project.

Feeds, article pages, images and hostile input, served over real sockets::

    from tests.servers.web import Reply, web_server  # the fixture, for a conftest

    def test_feed(web_server):
        url = web_server.route("/feed.xml", Reply(body=rss, headers={"Content-Type": "text/xml"}))
        ...
        assert web_server.hits("/feed.xml") == 1

Route matching: a route registered with a query string (``/a?page=2``) matches
only that exact path and query; a route without one (``/a``) matches that path
with any query. The exact match wins. Unrouted paths get a 404. Every request,
routed or not, is recorded in ``requests`` (header names lower-cased).

``stop()`` returns promptly even while replies are delayed or trickling: those
wait on an event that stop() sets, and open connections are shut down.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""  # str is sent as UTF-8
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # sleep before answering
    trickle: float | None = None  # if set, send the body one byte every `trickle` seconds
    # A body produced lazily on each request (huge bodies without the memory),
    # used instead of `body`; sent chunked unless `headers` set Content-Length.
    stream: Callable[[], Iterable[bytes]] | None = None
    # Bytes sent verbatim instead of an HTTP response (malformed replies);
    # the connection is closed after them.
    raw: bytes | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


@dataclass
class RecordedRequest:
    method: str
    path: str  # as sent, query string included
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""


def lazy_bytes(total: int, chunk_size: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A `Reply.stream` of ``total`` bytes, produced a chunk at a time."""

    def chunks() -> Iterator[bytes]:
        block = b"x" * chunk_size
        for start in range(0, total, chunk_size):
            yield block[: min(chunk_size, total - start)]

    return chunks


def gzip_bomb(inflated_size: int) -> bytes:
    """A small gzip stream that inflates to ``inflated_size`` zero bytes.

    Serve it with ``headers={"Content-Encoding": "gzip"}``.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = []
    for start in range(0, inflated_size, len(block)):
        parts.append(compressor.compress(block[: min(len(block), inflated_size - start)]))
    parts.append(compressor.flush())
    return b"".join(parts)


class _ServerStopping(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, chunked: like the servers the bot meets
    server: _HTTPServer

    def do_GET(self) -> None:
        web = self.server.web
        request = self._recorded()
        web._record(request)
        reply = web._reply_for(request)
        try:
            web._pause(reply.delay)
            self._answer(reply)
        except (_ServerStopping, OSError):
            self.close_connection = True  # the client left, or the test is over

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("web server: " + format, *args)

    def _recorded(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        return RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )

    def _answer(self, reply: Reply) -> None:
        if reply.raw is not None:
            self.close_connection = True
            self._send(reply.raw, reply)
            return
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        given = {name.lower() for name in reply.headers}
        chunked = reply.stream is not None and "content-length" not in given
        added = {}
        if chunked:
            added["Transfer-Encoding"] = "chunked"
        elif reply.stream is None and "content-length" not in given:
            added["Content-Length"] = str(len(body))
        self.send_response(reply.status)
        for name, value in [*reply.headers.items(), *added.items()]:
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        for part in reply.stream() if reply.stream is not None else [body]:
            self._send(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part, reply)
        if chunked:
            self._send(b"0\r\n\r\n", reply)

    def _send(self, data: bytes, reply: Reply) -> None:
        if reply.trickle is None:
            self.wfile.write(data)
            return
        for index in range(len(data)):
            self.server.web._pause(reply.trickle)
            self.wfile.write(data[index : index + 1])


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    web: WebServer

    def __init__(self, address: tuple[str, int], web: WebServer):
        super().__init__(address, _Handler)
        self.web = web
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        """Wake every handler blocked on a socket, so that none outlives the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        # Clients hanging up mid-reply is what the hostile tests are about.
        logger.debug("web server: connection from %s ended with an error", client_address)


class WebServer:
    """A ThreadingHTTPServer on ``host`` (an IPv4 address), port chosen by the OS."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Reply | Callable[[RecordedRequest], Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("WebServer is not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def start(self) -> WebServer:
        self._httpd = _HTTPServer((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.cut_connections()
        self._httpd.server_close()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._httpd = None

    def route(self, path: str, reply: Reply | Callable[[RecordedRequest], Reply]) -> str:
        """Serve ``reply`` (or call it with each request) at ``path``; returns the full URL."""
        with self._lock:
            self._routes[path] = reply
        return self.url + path

    def hits(self, path: str) -> int:
        """How many requests came for ``path`` (any query string when ``path`` has none)."""
        return sum(1 for request in self.requests if _matches(path, request.path))

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _reply_for(self, request: RecordedRequest) -> Reply:
        with self._lock:
            reply = self._routes.get(request.path)
            if reply is None:
                reply = self._routes.get(urlsplit(request.path).path)
        if reply is None:
            return Reply(status=404, body="no route")
        if isinstance(reply, Reply):
            return reply
        try:
            return reply(request)
        except Exception:
            logger.exception("web server: the route for %s failed", request.path)
            return Reply(status=500, body="route failed")

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _ServerStopping
        if self._stopping.is_set():
            raise _ServerStopping


def _matches(route: str, request_path: str) -> bool:
    return request_path == route or ("?" not in route and urlsplit(request_path).path == route)


@pytest.fixture
def web_server() -> Iterator[WebServer]:
    """A started WebServer, stopped after the test."""
    with WebServer() as server:
        yield server
