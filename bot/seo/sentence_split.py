"""Sentence splitting: plain text cut into sentences where Yoast's sentence tokenizer cuts it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.seo.tokens import normalize_quotes

_FULL_STOP = "."
_SENTENCE_DELIMITERS = frozenset("”〞〟„』›»’‛`\"?!…")
_OPEN_BRACKETS = frozenset("([{")
_CLOSE_BRACKETS = frozenset(")]}")
_NOT_IN_SENTENCE_RUN = frozenset(".<()[]") | _SENTENCE_DELIMITERS
# Title abbreviations after which a full stop does not end the sentence. Yoast's list is English;
# "M." (monsieur) is not on it, so Yoast does split after "M." and so do we.
_ABBREVIATION_RE = re.compile(r"(?:^|[\s(\"'«])(?:Dr|Pr|Prof|St|Mt|vs|etc)\.$", re.IGNORECASE)
_INITIAL_RE = re.compile(r"(?:^|[ \n\r\t\u00a0.,'()\"+\-;!?:/»«‹›<>”“〝〞〟‟„])[A-Za-z]$")


@dataclass
class _Tok:
    kind: str  # "sentence", "full-stop", "delimiter", "block-start", "block-end"
    src: str


def _scan(text: str) -> list[_Tok]:
    """Cut a block's text into the tokens Yoast's sentence tokenizer works on."""
    tokens: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == _FULL_STOP:
            tokens.append(_Tok("full-stop", ch))
            i += 1
            continue
        if ch in _SENTENCE_DELIMITERS:
            tokens.append(_Tok("delimiter", ch))
            i += 1
            continue
        if ch in _OPEN_BRACKETS or ch in _CLOSE_BRACKETS:
            i = _scan_bracket(text, i, "", tokens)
            continue
        j = i
        while j < n and text[j] not in _NOT_IN_SENTENCE_RUN:
            j += 1
        run = text[i:j]
        if j < n and not run.strip() and (text[j] in "([" or text[j] in ")]"):
            # Blank space right before a bracket belongs to the bracket token.
            i = _scan_bracket(text, j, run, tokens)
            continue
        if j == i:  # a lone "<": keep it inside the sentence text
            j = i + 1
            run = ch
        tokens.append(_Tok("sentence", run))
        i = j
    return tokens


def _scan_bracket(text: str, i: int, leading: str, tokens: list[_Tok]) -> int:
    kind = "block-start" if text[i] in _OPEN_BRACKETS else "block-end"
    j = i + 1
    while j < len(text) and text[j].isspace():
        j += 1
    tokens.append(_Tok(kind, leading + text[i:j]))
    return j


def _is_quotation(ch: str) -> bool:
    return normalize_quotes(ch) in ("'", '"')


def _is_valid_beginning(ch: str) -> bool:
    if not ch:
        return False
    return (
        ch != ch.lower()
        or ch.isdigit()
        or _is_quotation(ch)
        or ch in "¿¡<"
    )


def _next_two(tokens: list[_Tok], i: int) -> str:
    text = "".join(t.src for t in tokens[i + 1 : i + 3])
    return re.sub(r"\s+", " ", text, count=1)


def _is_sentence_start(token: _Tok | None) -> bool:
    return token is not None and token.kind == "block-start"


def _is_sentence_end(token: _Tok | None) -> bool:
    return token is not None and token.kind in ("full-stop", "delimiter")


def _is_initial(tokens: list[_Tok], i: int) -> bool:
    if i == 0 or i + 2 >= len(tokens):
        return False
    prev, nxt, nxt2 = tokens[i - 1], tokens[i + 1], tokens[i + 2]
    return (
        prev.kind == "sentence"
        and bool(_INITIAL_RE.search(prev.src))
        and nxt.kind == "sentence"
        and len(nxt.src.strip()) == 1
        and nxt2.kind == "full-stop"
    )


def _splits_after_stop(tokens: list[_Tok], i: int) -> bool:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    chars = _next_two(tokens, i)
    return (len(chars) >= 2 and _is_valid_beginning(chars[1]) and chars[0].isspace()) or (
        _is_sentence_start(nxt)
    )


def _split_tokens(tokens: list[_Tok]) -> list[str]:
    found: list[str] = []
    current = ""
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        current += token.src
        chars = _next_two(tokens, i)
        if token.kind == "delimiter":
            if nxt is None or nxt.kind in ("block-end", "delimiter") or not nxt.src[0].isspace():
                continue
            if _is_quotation(token.src) and (prev is None or prev.src != "."):
                continue
            if _is_quotation(token.src) or token.src == "…":
                if _splits_after_stop(tokens, i):
                    found.append(current)
                    current = ""
            else:
                found.append(current)
                current = ""
        elif token.kind == "full-stop":
            if _ABBREVIATION_RE.search(current):
                continue
            if len(chars) >= 2 and chars[0].isdigit():
                continue
            if _is_initial(tokens, i):
                continue
            if _splits_after_stop(tokens, i):
                found.append(current)
                current = ""
        elif token.kind == "block-end":
            start = chars[0] if len(chars) >= 2 else ""
            if len(chars) >= 2 and chars[0].isdigit():
                continue
            if _is_sentence_end(prev) and (_is_sentence_start(nxt) or _is_valid_beginning(start)):
                found.append(current)
                current = ""
    if current:
        found.append(current)
    return found


def split_sentences(text: str, *, trim: bool = True) -> list[str]:
    """Sentences of one block of plain text, cut where Yoast's tokenizer cuts them."""
    found = _split_tokens(_scan(text))
    if found and not found[-1].strip():
        found.pop()
    return [s.strip() for s in found] if trim else found


def sentences(text: str) -> list[str]:
    """Sentences of a plain text; blank lines separate blocks (as tree_view_text produces)."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        result.extend(s for s in split_sentences(block) if s)
    return result
