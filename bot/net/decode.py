"""Turn a body into text: undo Content-Encoding within a size cap, then decode its charset.

httpx would inflate a whole network chunk at once: 64 KiB of gzip can become
64 MiB before anyone counts. Here zlib is asked for at most what is still
allowed (plus one byte, to notice the overflow), so a gzip bomb is stopped
with the memory of the cap, not of the bomb.

A document's bytes become text in the charset its byte-order mark, its
server or its own declaration gives, else UTF-8, else the charset
charset-normalizer detects; whatever reads it next sees Unicode, whatever
encoding the document was written in (Big5, Shift_JIS, UTF-16...).
"""

from __future__ import annotations

import codecs
import functools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import charset_normalizer

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


class CharsetUnknown(Exception):
    """No declared charset decodes the bytes and none can be detected."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # Python's name of the codec that read it
    warning: str | None = None  # why it is not the declared charset, when it is not


# Byte-order marks, longest first: UTF-32's starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A document without a BOM that starts with "<" in a wide encoding (XML 1.0, appendix F);
# a declaration saying only "UTF-16" does not tell the byte order, these bytes do.
_WIDE_STARTS = (
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0", "utf-16-le"),
    (b"\0<", "utf-16-be"),
)
# Charsets that documents declare while using their superset's extra characters
# (as browsers read them); when the superset fails, the declared one is tried.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859-1": "cp1252",
}
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)


def charset_param(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def decode_text(content: bytes, declared: Sequence[str | None] = ()) -> DecodedText:
    """Decode ``content`` by its BOM, else by the first ``declared`` charset that reads
    it (most authoritative first), else as UTF-8, else in the charset detected.
    Raises CharsetUnknown when none of these reads it."""
    names = [name.strip() for name in declared if name and name.strip()]
    for name in [*_sniffed(content), *names]:
        decoded = _decoded_or_none(content, name)
        if decoded and not (_single_byte(decoded.encoding) and _utf8_beyond_ascii(content)):
            return decoded
        if decoded:
            break  # UTF-8 declared as Latin-1 or cp1252, the commonest lie of all
    decoded = _decoded_or_none(content, "utf-8") or _detected(content)
    if decoded is None:
        raise CharsetUnknown(_refusal(names))
    if names:
        warning = f"declared as {names[0]}, but read as {decoded.encoding}"
        return DecodedText(decoded.text, decoded.encoding, warning)
    return decoded


def _sniffed(content: bytes) -> list[str]:
    """The encoding a byte-order mark, or a wide "<" at the start, says."""
    for start, encoding in (*_BOMS, *_WIDE_STARTS):
        if content.startswith(start):
            return [encoding]
    return []


def _decoded_or_none(content: bytes, name: str) -> DecodedText | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    for candidate in dict.fromkeys((_SUPERSETS.get(codec, codec), codec)):
        try:
            return DecodedText(content.decode(candidate), candidate)
        except UnicodeDecodeError:
            continue
    return None


@functools.cache
def _single_byte(codec: str) -> bool:
    """Whether every byte is one character in ``codec`` (Latin-1, cp1252, KOI8-R...):
    any bytes then decode, and only a check of another kind can tell a lie."""
    text = bytes(range(256)).decode(codec, "replace")
    # UTF-8 too gives 256 characters here, but half of them U+FFFD: its bytes above 0x7F
    # are never characters alone. A code page leaves a few bytes undefined at most.
    return len(text) == 256 and text.count("\ufffd") < 64


def _utf8_beyond_ascii(content: bytes) -> bool:
    """Valid UTF-8 that is not ASCII: a single-byte text is this only by a freak of bytes
    (« Ã© » and the like, never written on purpose)."""
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detected(content: bytes) -> DecodedText | None:
    best = charset_normalizer.from_bytes(content).best()
    return _decoded_or_none(content, best.encoding) if best is not None else None


def _refusal(names: list[str]) -> str:
    said = f"declared as {', '.join(names)}, " if names else ""
    return f"unknown character encoding: {said}not UTF-8, and none could be detected"
