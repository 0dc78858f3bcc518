"""Undo Content-Encoding without ever holding more than the allowed size.

httpx would inflate a whole network chunk at once: 64 KiB of gzip can become
64 MiB before anyone counts. Here zlib is asked for at most what is still
allowed (plus one byte, to notice the overflow), so a gzip bomb is stopped
with the memory of the cap, not of the bomb.
"""

from __future__ import annotations

import zlib

from bot.errors import BodyRejected

_GZIP_MAGIC = b"\x1f\x8b"
# What we advertise in Accept-Encoding: the encodings we can bound.
ACCEPTED_ENCODINGS = "gzip, deflate"
_ALIASES = {"x-gzip": "gzip"}


class BoundedDecoder:
    """Feed raw body chunks, get decoded bytes; raises BodyRejected past ``max_bytes``."""

    def __init__(self, content_encoding: str | None, max_bytes: int):
        self._encoding = _single_encoding(content_encoding)
        self._max_bytes = max_bytes
        self._size = 0
        self._inflater = _new_inflater(self._encoding)

    def feed(self, data: bytes) -> bytes:
        if self._inflater is None:
            return self._counted(data)
        parts = []
        while data:  # a loop, not recursion: a body may hold many gzip members
            output, data = self._inflate(data)
            parts.append(self._counted(output))
        return b"".join(parts)

    def _inflate(self, data: bytes) -> tuple[bytes, bytes]:
        """Inflate ``data`` within the cap; return the output and any next gzip member."""
        assert self._inflater is not None
        if self._inflater.eof:
            if self._encoding != "gzip" or not data.startswith(_GZIP_MAGIC):
                return b"", b""  # trailing bytes after the stream: ignored, as browsers do
            self._inflater = _new_inflater(self._encoding)
        allowed = self._max_bytes - self._size + 1
        try:
            output = self._inflater.decompress(data, allowed)
        except zlib.error as error:
            if self._encoding == "deflate" and self._size == 0:
                # "deflate" is zlib-wrapped by the standard, raw by many servers.
                self._encoding = "raw-deflate"
                self._inflater = _new_inflater(self._encoding)
                return self._inflate(data)
            raise BodyRejected(f"corrupt {self._encoding} body: {error}") from None
        rest = self._inflater.unused_data if self._inflater.eof else b""
        return output, rest

    def _counted(self, data: bytes) -> bytes:
        self._size += len(data)
        if self._size > self._max_bytes:
            raise BodyRejected(f"body exceeds {self._max_bytes} bytes")
        return data


def _single_encoding(header: str | None) -> str | None:
    codings = [
        _ALIASES.get(token, token)
        for token in (part.strip().lower() for part in (header or "").split(","))
        if token and token != "identity"
    ]
    if len(codings) > 1:
        raise BodyRejected(f"stacked Content-Encoding {header!r} is not supported")
    if codings and codings[0] not in ("gzip", "deflate"):
        raise BodyRejected(f"unsupported Content-Encoding {codings[0]!r}")
    return codings[0] if codings else None


def _new_inflater(encoding: str | None) -> zlib._Decompress | None:
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS, "raw-deflate": -zlib.MAX_WBITS}
    return zlib.decompressobj(wbits[encoding]) if encoding else None
