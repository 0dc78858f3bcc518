"""Outbound HTTP for feeds, pages and images: strict, bounded, SSRF-safe (docs/net.md)."""

from bot.net.http import FetchError, Limits, Response, fetch, retry_fetch
from bot.net.retry import RetryPolicy, call_with_retries, parse_retry_after

__all__ = [
    "FetchError",
    "Limits",
    "Response",
    "RetryPolicy",
    "call_with_retries",
    "fetch",
    "parse_retry_after",
    "retry_fetch",
]
