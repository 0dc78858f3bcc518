"""The one way the bot fetches from the web: feeds, article pages, images.

Newsrooms run the bot for months against whatever the feeds point at, so the
fetcher is strict: http and https only, no private or metadata addresses
(checked on every redirect hop), a cap on the decompressed body, and one total
deadline for the whole exchange. See docs/net.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus

import httpx

from bot.errors import (
    AddressRefused,
    BodyRejected,
    DepecheError,
    GiveUpStory,
    HostUnresolved,
    TryLater,
    asked_wait,
)
from bot.net.decode import ACCEPTED_ENCODINGS, BoundedDecoder
from bot.net.guard import resolve_allowed
from bot.net.limits import Limits
from bot.net.retry import RetryPolicy, call_with_retries, parse_retry_after
from bot.net.transport import Deadline, SharedClient, guarded_client

log = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin they were meant for.
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")


class FetchError(DepecheError):
    """A fetch that did not give a usable response; raised as one of its two branches.

    ``url``: the URL being fetched when it failed (a redirect hop, after a
    redirect; credentials are never kept). ``reason``: one English line for
    the log. ``status``: the HTTP status, if one was received.
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None):
        super().__init__(f"{reason} [{loggable_url(url)}]")
        self.url = url
        self.reason = reason
        self.status = status


class FetchUnavailable(FetchError, TryLater):
    """A later attempt may succeed (429, 5xx, timeouts, network); ``retry_after``:
    seconds the server asked us to wait."""

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(url, reason, status=status)
        self.retry_after = retry_after


class FetchRefused(FetchError, GiveUpStory):
    """The same fetch would fail the same way: 4xx, a refused address, a bad URL."""


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int  # 200..299 or 304
    headers: httpx.Headers
    content: bytes


def fetch(
    url: str,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, immutable
    headers: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    shared: SharedClient | None = None,
) -> Response:
    """GET ``url`` within ``limits``; a Response for 2xx and 304, else FetchError.

    With ``shared`` (many fetches at once: a poll), its guarded connections are
    reused; the checks and the deadline are the same as with a client of its own.

    Without ``client`` (the normal case) the fetch builds its own guarded
    client: addresses are checked in the very call that connects and the
    deadline binds every socket operation. A caller's ``client`` gets the same
    checks before each hop, but with the DNS-rebinding and slow-header gaps
    described in docs/net.md: pass one only to tests or trusted set-ups.
    """
    deadline = Deadline(limits.timeout)
    if shared is not None:
        with shared.bound(deadline) as shared_client:
            return _follow_redirects(shared_client, url, limits, headers, deadline, precheck=False)
    if client is not None:
        return _follow_redirects(client, url, limits, headers, deadline, precheck=True)
    with guarded_client(deadline, allow_private=limits.allow_private) as own_client:
        return _follow_redirects(own_client, url, limits, headers, deadline, precheck=False)


def retry_fetch(
    url: str,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, immutable
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen dataclass, immutable
    headers: Mapping[str, str] | None = None,
    on_failure: Callable[[int, BaseException, float | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """``fetch`` retried on retryable FetchErrors, honouring Retry-After (see call_with_retries)."""
    return call_with_retries(
        lambda: fetch(url, limits=limits, headers=headers),
        policy=policy,
        is_retryable=lambda error: isinstance(error, FetchUnavailable),
        retry_after=asked_wait,
        on_failure=on_failure,
        sleep=sleep,
    )


def loggable_url(url: str | httpx.URL) -> str:
    """``url`` without credentials, query or fragment: safe for a log line.

    Feed URLs sometimes carry API keys in the query string.
    """
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        return "<invalid URL>"
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


def _follow_redirects(
    client: httpx.Client,
    url: str,
    limits: Limits,
    extra_headers: Mapping[str, str] | None,
    deadline: Deadline,
    *,
    precheck: bool,
) -> Response:
    # By hand, not httpx's follow_redirects: every hop is checked and counted.
    headers = _request_headers(limits, extra_headers)
    current = _checked_url(url)
    visited: set[httpx.URL] = set()
    for _ in range(limits.max_redirects + 1):
        visited.add(current)
        with _exchange(client, current, headers, limits, deadline, precheck=precheck) as response:
            target = _redirect_target(response, current)
            if target is None:
                return _conclude(response, current, limits, deadline)
        if target in visited:
            raise FetchRefused(str(current), f"redirect loop back to {loggable_url(target)}")
        if _origin(target) != _origin(current):
            headers = _without_credentials(headers)
        log.debug("%s redirects to %s", loggable_url(current), loggable_url(target))
        current = target
    raise FetchRefused(str(current), f"more than {limits.max_redirects} redirects")


@contextmanager
def _exchange(
    client: httpx.Client,
    url: httpx.URL,
    headers: httpx.Headers,
    limits: Limits,
    deadline: Deadline,
    *,
    precheck: bool,
) -> Iterator[httpx.Response]:
    """One request, its response streamed; network failures become FetchErrors."""
    with _translated_errors(url, limits, deadline):
        if precheck:
            port = url.port or (443 if url.scheme == "https" else 80)
            resolve_allowed(url.host, port, allow_private=limits.allow_private)
        request = client.build_request(
            "GET", url, headers=headers, timeout=_timeouts(limits, deadline)
        )
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            yield response
        finally:
            response.close()


@contextmanager
def _translated_errors(url: httpx.URL, limits: Limits, deadline: Deadline) -> Iterator[None]:
    try:
        yield
    except HostUnresolved as error:
        raise FetchUnavailable(str(url), str(error)) from error
    except (AddressRefused, BodyRejected) as error:
        raise FetchRefused(str(url), str(error)) from error
    except httpx.TimeoutException as error:
        reason = _timeout_reason(error, limits, deadline)
        raise FetchUnavailable(str(url), reason) from error
    except httpx.TransportError as error:
        # Refused, reset, garbage instead of HTTP: the next attempt may find it fixed.
        reason = f"network error ({type(error).__name__}): {error}"
        raise FetchUnavailable(str(url), reason) from error


def _timeout_reason(error: httpx.TimeoutException, limits: Limits, deadline: Deadline) -> str:
    if deadline.expired:
        return f"no complete response within the {limits.timeout:g} s deadline"
    if isinstance(error, httpx.ConnectTimeout):
        return f"connect timed out after {limits.connect_timeout:g} s"
    return f"timed out ({type(error).__name__})"


def _timeouts(limits: Limits, deadline: Deadline) -> httpx.Timeout:
    remaining = deadline.clamp(None, httpx.TimeoutException)
    return httpx.Timeout(remaining, connect=min(limits.connect_timeout, remaining))


def _checked_url(url: str | httpx.URL, *, base: httpx.URL | None = None) -> httpx.URL:
    """``url`` (joined to ``base``) parsed, refused unless plain http(s) to a host."""
    try:
        parsed = httpx.URL(url.strip()) if isinstance(url, str) else url
        if base is not None:
            parsed = base.join(parsed)
    except httpx.InvalidURL as error:
        raise FetchRefused(str(url), f"invalid URL: {error}") from error
    if parsed.userinfo:
        raise FetchRefused(loggable_url(parsed), "URLs with embedded credentials are refused")
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(
            str(parsed), f"unsupported scheme {parsed.scheme!r}: only http and https are fetched"
        )
    if not parsed.host:
        raise FetchRefused(str(parsed), "URL has no host")
    return parsed.copy_with(fragment=None)


def _redirect_target(response: httpx.Response, current: httpx.URL) -> httpx.URL | None:
    if response.status_code not in _REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise FetchRefused(str(current), f"HTTP {response.status_code} without a Location header")
    try:
        return _checked_url(location, base=current)
    except FetchError as error:
        raise FetchRefused(str(current), f"bad redirect: {error.reason}") from error


def _conclude(
    response: httpx.Response, url: httpx.URL, limits: Limits, deadline: Deadline
) -> Response:
    status = response.status_code
    if log.isEnabledFor(logging.DEBUG):  # the URL's cleaning is 5 % of a 304's CPU
        log.debug("GET %s: HTTP %d", loggable_url(url), status)
    if status == 304:
        return Response(str(url), status, response.headers, b"")
    if 200 <= status < 300:
        content = _read_body(response, limits, deadline)
        return Response(str(url), status, response.headers, content)
    # 408 is the server timing us out: as transient as a 503.
    reason = f"HTTP {status} {_phrase(status)}".rstrip()
    if status in (408, 429) or status >= 500:
        wait = parse_retry_after(response.headers.get("retry-after"))
        raise FetchUnavailable(str(url), reason, status=status, retry_after=wait)
    raise FetchRefused(str(url), reason, status=status)


def _read_body(response: httpx.Response, limits: Limits, deadline: Deadline) -> bytes:
    too_large = f"body exceeds {limits.max_bytes} bytes"
    announced = response.headers.get("content-length", "")
    if announced.isascii() and announced.isdigit() and int(announced) > limits.max_bytes:
        raise BodyRejected(f"{too_large} (Content-Length {announced})")
    decoder = BoundedDecoder(response.headers.get("content-encoding"), limits.max_bytes)
    parts = []
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > limits.max_bytes:
            raise BodyRejected(too_large)
        parts.append(decoder.feed(chunk))
        # Our own client already clamps each read; a caller's client does not.
        if deadline.expired:
            raise httpx.ReadTimeout("total deadline exceeded")
    return b"".join(parts)


def _request_headers(limits: Limits, extra: Mapping[str, str] | None) -> httpx.Headers:
    headers = httpx.Headers({"User-Agent": limits.user_agent, "Accept": "*/*"})
    headers.update(extra or {})
    # Only encodings whose inflating we can bound (no br, no zstd).
    headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
    return headers


def _without_credentials(headers: httpx.Headers) -> httpx.Headers:
    kept = headers.copy()
    for name in _CREDENTIAL_HEADERS:
        kept.pop(name, None)
    return kept


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _phrase(status: int) -> str:
    # The standard phrase, not the server's: its reason text is hostile input.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
