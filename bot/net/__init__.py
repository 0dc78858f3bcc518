"""Outbound HTTP for feeds, pages and images: strict, bounded, SSRF-safe (docs/net.md).

`http.fetch()` and `http.retry_fetch()` are the one way to fetch; `limits.Limits` what
one fetch may cost. Nothing is imported here: the configuration reads `Limits`
without loading httpx.
"""
