"""The httpx client the fetcher builds for itself: guarded connects, one deadline.

Two things httpx cannot do on its own, both done at the socket level by a
custom httpcore network backend:

- *DNS rebinding*: the address is checked in the very call that connects, and
  the connection goes to the address that was checked. A name that resolves to
  a public address for the check and to 127.0.0.1 for the connect is no gap.
- *A total deadline*: httpx timeouts are per socket operation, so a server
  sending one byte a second (headers included) would never time out. Every
  read, write and connect here is clamped to what is left of the deadline.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpcore
import httpx

from bot.net.guard import resolve_allowed


class Deadline:
    """A point in time, on the monotonic clock, by which the whole exchange must end."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        """``timeout`` shortened to what is left; raises ``error`` when nothing is."""
        remaining = self.remaining()
        if remaining <= 0:
            raise error(f"total deadline of {self.seconds:g} s exceeded")
        return remaining if timeout is None else min(timeout, remaining)


# The deadline of the exchange in progress: a function, not a value, because a
# connection of the shared client outlives the fetch that opened it and must obey
# the deadline of whichever fetch (thread) uses it now.
DeadlineOf = Callable[[], Deadline]
_CURRENT: ContextVar[Deadline] = ContextVar("deadline")


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: DeadlineOf):
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline().clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline().clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # The handshake itself runs inside the ssl module with this timeout per
        # socket operation: a handshake trickled byte by byte can overrun the
        # deadline (documented in docs/net.md); everything after it cannot.
        timeout = self._deadline().clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout), self._deadline
        )

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: DeadlineOf, *, allow_private: bool):
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_allowed(host, port, allow_private=self._allow_private)
        # Try each checked address in turn (a dead IPv6 route must not sink a
        # site that answers on IPv4); the host name never reaches the OS again.
        for address in addresses[:-1]:
            try:
                return self._connect(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return self._connect(addresses[-1], port, timeout, local_address, socket_options)

    def _connect(
        self,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            address,
            port,
            timeout=self._deadline().clamp(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: httpcore.NetworkBackend, max_connections: int = 10):
        context = _shared_ssl_context()
        super().__init__(verify=context, trust_env=False)
        # httpx has no public hook for the network backend; its transport keeps
        # the httpcore pool in ``_pool`` (httpx 0.27 and 0.28), which we replace
        # with one built on our backend. tests/net check this keeps working.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=backend, max_connections=max_connections
        )


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds; an SSLContext is safe to share.
    return httpx.create_ssl_context()


def guarded_client(deadline: Deadline, *, allow_private: bool) -> httpx.Client:
    """A client whose every connection is address-checked and bound by ``deadline``.

    Meant for one fetch: the deadline is the fetch's. ``trust_env=False``: an
    HTTP_PROXY from the environment would connect on our behalf, unchecked.
    """
    backend = _GuardedBackend(lambda: deadline, allow_private=allow_private)
    return httpx.Client(transport=_GuardedTransport(backend), trust_env=False)


class SharedClient:
    """One guarded client for many fetches at once (a poll's threads): connections to a
    host are kept and reused. Every new connection is address-checked as in
    ``guarded_client`` (a kept one goes to the address checked when it was opened), and
    each fetch's deadline binds the sockets it uses, whoever opened them."""

    def __init__(self, *, allow_private: bool, max_connections: int):
        backend = _GuardedBackend(_CURRENT.get, allow_private=allow_private)
        self._client = httpx.Client(
            transport=_GuardedTransport(backend, max_connections), trust_env=False
        )

    @contextmanager
    def bound(self, deadline: Deadline) -> Iterator[httpx.Client]:
        """The client, with `deadline` binding this thread's exchanges until the block ends."""
        token = _CURRENT.set(deadline)
        try:
            yield self._client
        finally:
            _CURRENT.reset(token)

    def close(self) -> None:
        self._client.close()
