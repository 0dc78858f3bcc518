"""Text primitives for the Yoast-grade analysis: HTML to text, words, sentences, keyphrase matching.

Yoast SEO (yoastseo 3.6.0) looks at a post body in two ways, and the counts differ slightly
between them, so both are reproduced here:

- the *string view* (word count, subheading sections): script, style, code, pre, blockquote and
  textarea are dropped, every tag becomes a space, words are split on whitespace and stripped of
  surrounding punctuation;
- the *tree view* (sentences, paragraphs, keyphrase counts, density): the HTML is parsed
  into paragraphs (explicit ``<p>`` plus implicit ones: loose text in ``div``, ``li``...) and
  headings; quotes and code (blockquote, q, cite, code, pre...) are left out; each block is
  split into sentences and each sentence into tokens.

The behaviour was measured against the library; the implementation and the French data are ours.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from lxml import etree
from lxml import html as lxml_html

from bot.seo.french import FUNCTION_WORDS

# --- characters --------------------------------------------------------------------------------

# Characters Yoast peels off both ends of a word before counting it (a word made only of them is
# not a word). "%", "/", "€" are deliberately absent: Yoast counts "%" as a word.
PUNCTUATION = frozenset(
    "–-()_[]’‘“”〝〞〟‟„\"'.?!:;,¿¡«»‹›—×+&<>…\\"
)
_SINGLE_QUOTES = "'‘’‛`‹›"
_DOUBLE_QUOTES = "“”〝〞〟‟„『』«»\""
_APOSTROPHES = "'‘’‛`"
# Boundaries around a keyphrase word (hyphen and slash included, apostrophe only before the word).
_BOUNDARY_CHARS = " \u00a0\u2014\n\r\t.,()”“〝〞〟‟„\"+\\-;!¡?¿:/»«‹›<>"

_SPACE_RE = re.compile(r"\s+")
_ENTITY_AMP_RE = re.compile(r"&amp")
_TOKEN_SPLIT_RE = re.compile(r"([\s\u00a0\u2013\u2014\-\[\]])")

# Elements whose whole content the string view ignores (word count, sections).
_STRING_VIEW_IGNORED = frozenset({"script", "style", "code", "pre", "blockquote", "textarea"})
# Elements the tree view removes with their content: quotes, code, embedded or non-text content.
_TREE_VIEW_IGNORED = frozenset(
    {
        "base", "blockquote", "canvas", "code", "head", "iframe", "input", "kbd", "link", "math",
        "meta", "meter", "noscript", "object", "portal", "pre", "progress", "q", "samp", "script",
        "slot", "style", "svg", "template", "textarea", "title", "var", "cite", "form", "map",
        "output",
    }
)
# Page-builder and Yoast widgets both views skip (class names).
_IGNORED_CLASSES = frozenset(
    {
        "yoast-table-of-contents", "yoast-reading-time__wrapper", "yoast-ai-summarize",
        "elementor-button-wrapper", "elementor-divider", "elementor-spacer",
        "elementor-custom-embed", "elementor-icon-wrapper", "elementor-icon-box-wrapper",
        "elementor-counter", "elementor-progress-wrapper", "elementor-alert",
        "elementor-soundcloud-wrapper", "elementor-shortcode", "elementor-menu-anchor",
        "elementor-title",
    }
)
# Inline ("phrasing") elements: runs of them and of text form implicit paragraphs.
_PHRASING = frozenset(
    {
        "b", "big", "i", "small", "tt", "abbr", "acronym", "cite", "code", "dfn", "em", "kbd",
        "strong", "samp", "time", "var", "a", "bdo", "br", "img", "map", "object", "q", "script",
        "span", "sub", "sup", "button", "input", "label", "select", "textarea",
    }
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def fold_accents(text: str) -> str:
    """Lower-case ASCII-ish form: accents removed, ligatures opened (é→e, œ→oe, æ→ae, ß→ss)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_QUOTES_TABLE = str.maketrans(
    {**dict.fromkeys(_SINGLE_QUOTES, "'"), **dict.fromkeys(_DOUBLE_QUOTES, '"')}
)


def normalize_quotes(text: str) -> str:
    """Curly, angle and other quotes as ' and \"."""
    return text.translate(_QUOTES_TABLE)


def strip_punctuation(word: str) -> str:
    """Remove punctuation at both ends of a token, as Yoast does before counting it."""
    if "&" in word or "\\" in word:
        word = _ENTITY_AMP_RE.sub("", word, count=1).replace("\\", "")
    if word and word[0] not in PUNCTUATION and word[-1] not in PUNCTUATION:
        return word
    start, end = 0, len(word)
    while start < end and word[start] in PUNCTUATION:
        start += 1
    while end > start and word[end - 1] in PUNCTUATION:
        end -= 1
    return word[start:end]


def words(text: str) -> list[str]:
    """Yoast's words of a plain text (tags, if any, count as spaces): split on whitespace."""
    text = text.replace("—", " ")
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    return [w for w in (strip_punctuation(t) for t in text.split()) if w.strip()]


_TAG_RE = re.compile(r"<[^>]+>")


# --- HTML parsing ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parse(html: str) -> etree._Element:
    """The body as an lxml tree under one synthetic <div> (parsed once per distinct body)."""
    if not html.strip():
        return lxml_html.fragment_fromstring("<div></div>")
    return lxml_html.fragment_fromstring(html, create_parent="div")


def _has_ignored_class(element: etree._Element) -> bool:
    classes = element.get("class")
    return bool(classes) and any(c in _IGNORED_CLASSES for c in classes.split())


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else "#comment"


def _string_view_pieces(element: etree._Element) -> Iterator[tuple[int, str]]:
    """Text of the string view in document order: (heading level or 0, text); tags are spaces."""
    for child in element:
        tag = _tag(child)
        if tag != "#comment" and tag not in _STRING_VIEW_IGNORED and not _has_ignored_class(child):
            level = _HEADINGS.get(tag, 0)
            if level:
                yield level, " " + _element_text(child) + " "
            else:
                yield 0, " " + (child.text or "")
                yield from _string_view_pieces(child)
                yield 0, " "
        if child.tail:
            yield 0, child.tail


def _element_text(element: etree._Element) -> str:
    """All text of an element for the string view, tags as spaces."""
    parts = [element.text or ""]
    parts.extend(piece for _, piece in _string_view_pieces(element))
    return "".join(parts)


def string_view_text(html: str) -> str:
    """The body as Yoast's word counter sees it: ignored blocks removed, tags replaced by spaces."""
    return _element_text(_parse(html))


def count_words(html: str) -> int:
    """The body word count exactly as Yoast's text length assessment counts it."""
    return len(words(string_view_text(html)))


# --- the tree view: paragraphs, headings, sentences, tokens --------------------------------------


@dataclass
class Sentence:
    text: str
    tokens: list[str]

    @cached_property
    def words(self) -> list[str]:
        """Words for lengths: hyphenated words stay one word."""
        return _words_from_tokens(self.tokens, split_on_hyphens=False)

    @cached_property
    def words_split_on_hyphens(self) -> list[str]:
        """Words for the keyphrase density: "a-t-il" is three words there."""
        return _words_from_tokens(self.tokens, split_on_hyphens=True)

    @cached_property
    def matchable_tokens(self) -> list[str]:
        """Lower-case tokens with normalised quotes, for keyphrase matching."""
        return [normalize_quotes(token).lower() for token in self.tokens]


@dataclass
class Block:
    """A paragraph ("p", explicit or implicit) or a heading ("h") of the tree view."""

    kind: str
    level: int
    text: str
    only_links: bool = False
    in_figcaption: bool = False
    in_list_or_table: bool = False
    sentences: list[Sentence] = field(default_factory=list)

    @cached_property
    def word_count(self) -> int:
        return sum(len(s.words) for s in self.sentences)


@dataclass
class _Run:
    """Inline content being collected into one implicit paragraph."""

    parts: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add(self, name: str, text: str) -> None:
        self.names.append(name)
        self.parts.append(text)


def _inline_text(element: etree._Element) -> str:
    """innerText of phrasing content: <br> is a newline, quotes and code are emptied."""
    tag = _tag(element)
    if tag == "br":
        return "\n"
    if tag == "#comment" or tag in _TREE_VIEW_IGNORED or _has_ignored_class(element):
        return ""
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _children_with_text(element: etree._Element) -> list[tuple[str, object]]:
    """Child nodes in order as (name, node): text nodes are ("#text", str)."""
    nodes: list[tuple[str, object]] = []
    if element.text:
        nodes.append(("#text", element.text))
    for child in element:
        nodes.append((_tag(child), child))
        if child.tail:
            nodes.append(("#text", child.tail))
    return nodes


def _is_double_break(nodes: list[tuple[str, object]], index: int) -> bool:
    if nodes[index][0] != "br":
        return False
    before = index > 0 and nodes[index - 1][0] == "br"
    after = index + 1 < len(nodes) and nodes[index + 1][0] == "br"
    return before or after


def _node_text(name: str, node: object) -> str:
    return node if name == "#text" else _inline_text(node)  # type: ignore[return-value,arg-type]


@dataclass(frozen=True)
class _Context:
    """What encloses the element being walked (some assessments skip these blocks)."""

    in_figcaption: bool = False
    in_list_or_table: bool = False

    def entering(self, tag: str, element: etree._Element) -> _Context:
        classes = (element.get("class") or "").split()
        return _Context(
            self.in_figcaption or tag == "figcaption",
            self.in_list_or_table or tag in _LISTS_AND_TABLES or "wp-block-table" in classes,
        )


_LISTS_AND_TABLES = frozenset({"ol", "ul", "table"})


def _new_block(kind: str, level: int, text: str, only_links: bool, ctx: _Context) -> Block:
    return Block(kind, level, text, only_links, ctx.in_figcaption, ctx.in_list_or_table)


def _flush_run(run: _Run, blocks: list[Block], ctx: _Context) -> _Run:
    kept = [n for n in run.names if n != "#comment" and n not in _TREE_VIEW_IGNORED]
    if run.names and kept:
        only_links = all(n == "a" for n in run.names)
        blocks.append(_new_block("p", 0, "".join(run.parts), only_links, ctx))
    return _Run()


def _collect_implicit(nodes: list[tuple[str, object]], blocks: list[Block], ctx: _Context) -> None:
    """Group phrasing children into implicit paragraphs; anything else ends the paragraph."""
    run = _Run()
    for index, (name, node) in enumerate(nodes):
        is_phrasing = name == "#text" or name in _PHRASING
        is_blank_text = name == "#text" and not str(node).strip()
        if is_phrasing and not is_blank_text and not _is_double_break(nodes, index):
            run.add(name, _node_text(name, node))
            continue
        run = _flush_run(run, blocks, ctx)
        if name != "#text" and name not in _PHRASING:
            _walk(node, blocks, ctx)  # type: ignore[arg-type]
    _flush_run(run, blocks, ctx)


def _walk(element: etree._Element, blocks: list[Block], ctx: _Context) -> None:
    tag = _tag(element)
    if tag == "#comment" or tag in _TREE_VIEW_IGNORED or _has_ignored_class(element):
        return
    ctx = ctx.entering(tag, element)
    if tag in _HEADINGS:
        blocks.append(_new_block("h", _HEADINGS[tag], _inline_text(element), False, ctx))
        return
    nodes = _children_with_text(element)
    if tag == "p":
        names = [n for n, _ in nodes]
        overarching = any(
            names[i] == "br" and names[i + 1] == "br" for i in range(len(names) - 1)
        )
        if overarching:
            # A <p> cut by <br><br> is treated as several implicit paragraphs.
            _collect_implicit(nodes, blocks, ctx)
            return
        only_links = bool(nodes) and all(n == "a" for n, _ in nodes)
        blocks.append(_new_block("p", 0, _inline_text(element), only_links, ctx))
        return
    _collect_implicit(nodes, blocks, ctx)


@lru_cache(maxsize=32)
def blocks(html: str) -> tuple[Block, ...]:
    """Paragraphs and headings of the tree view, each split into sentences and tokens."""
    found: list[Block] = []
    root = _parse(html)
    _collect_implicit(_children_with_text(root), found, _Context())
    for block in found:
        block.sentences = [
            Sentence(text, tokenize(text)) for text in split_sentences(block.text, trim=False)
        ]
    return tuple(found)


def html_to_text(html: str) -> str:
    """Visible text of the body as Yoast analyses it: one block (paragraph, heading) per line
    pair; blockquote, q, cite, code and other non-prose elements removed."""
    return "\n\n".join(_SPACE_RE.sub(" ", b.text).strip() for b in blocks(html) if b.text.strip())


def paragraphs(html: str) -> list[str]:
    """Texts of the paragraphs (explicit and implicit) that contain at least one word."""
    return [
        _SPACE_RE.sub(" ", b.text).strip()
        for b in blocks(html)
        if b.kind == "p" and b.word_count
    ]


def subheadings(html: str) -> list[tuple[int, str]]:
    """(level, text) of the h2..h6 subheadings (the keyphrase assessment keeps only h2 and h3)."""
    return [
        (b.level, _SPACE_RE.sub(" ", b.text).strip())
        for b in blocks(html)
        if b.kind == "h" and b.level >= 2
    ]


def sections(html: str) -> list[tuple[str | None, str]]:
    """(heading text or None, text below it) as the subheading distribution assessment splits
    the body: on every h1..h6; the text before the first heading is a section only if it has
    words, and only when the body has headings at all."""
    found: list[tuple[str | None, list[str]]] = [(None, [])]
    for level, piece in _string_view_pieces(_parse(html)):
        if level:
            found.append((_SPACE_RE.sub(" ", piece).strip(), []))
        else:
            found[-1][1].append(piece)
    result = [(heading, _SPACE_RE.sub(" ", "".join(parts)).strip()) for heading, parts in found]
    if len(result) == 1:
        return result if words(result[0][1]) else []
    intro = result[0]
    return ([intro] if words(intro[1]) else []) + result[1:]


# --- sentence splitting ------------------------------------------------------------------------

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
    """Sentences of a plain text; blank lines separate blocks (as html_to_text produces)."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        result.extend(s for s in split_sentences(block) if s)
    return result


# --- tokens and words inside a sentence ----------------------------------------------------------


def tokenize(sentence: str) -> list[str]:
    """Tokens of a sentence: words, separators (spaces, dashes) and peeled punctuation marks."""
    tokens: list[str] = []
    for raw in _TOKEN_SPLIT_RE.split(sentence):
        if not raw:
            continue
        start, end = 0, len(raw)
        while start < end and raw[start] in PUNCTUATION:
            start += 1
        while end > start and raw[end - 1] in PUNCTUATION:
            end -= 1
        tokens.extend(raw[:start])
        if raw[start:end]:
            tokens.append(raw[start:end])
        tokens.extend(raw[end:])
    return tokens


def _words_from_tokens(tokens: list[str], *, split_on_hyphens: bool) -> list[str]:
    items = list(tokens)
    if not split_on_hyphens:
        while "-" in items:
            at = items.index("-")
            if at in (0, len(items) - 1):
                del items[at]
            else:
                items[at - 1 : at + 2] = [items[at - 1] + "-" + items[at + 1]]
    return [w for w in (strip_punctuation(t) for t in items) if w.strip()]


def tree_words(html: str) -> list[str]:
    """All words of the tree view (hyphens split words), the denominator of the density."""
    return [w for b in blocks(html) for s in b.sentences for w in s.words_split_on_hyphens]


# --- keyphrase matching --------------------------------------------------------------------------


def keyphrase_words(keyphrase: str) -> list[str]:
    """The words of a keyphrase that must be found: function words dropped if others remain."""
    all_words = [w.lower() for w in words(keyphrase.replace("’", "'").strip())]
    content = [w for w in all_words if w not in FUNCTION_WORDS]
    return content or all_words


def _boundary_class() -> str:
    return "[" + re.escape(_BOUNDARY_CHARS) + "]"


_B = _boundary_class()
_A = "[" + re.escape(_APOSTROPHES) + "]"


@lru_cache(maxsize=256)
def word_regex(word: str) -> re.Pattern[str]:
    """A keyphrase word between word boundaries, its accent-folded spelling accepted too."""
    spellings = {re.escape(word), re.escape(fold_accents(word))}
    body = "|".join(sorted(spellings))
    return re.compile(
        rf"(?:^|{_B}|{_A})(?:{body})(?:$|{_B}|{_A}{_B})",
        re.IGNORECASE,
    )


def _count_in_sentence(sentence: Sentence, kwords: list[str]) -> int:
    counts = []
    for word in kwords:
        word = normalize_quotes(word)
        spellings = {word, fold_accents(word)}
        pattern = word_regex(word)
        counts.append(
            sum(
                1
                for token in sentence.matchable_tokens
                # the substring test is a cheap filter before the boundary-aware regex
                if any(s in token for s in spellings) and pattern.search(token)
            )
        )
        if not counts[-1]:
            return 0
    return min(counts) if counts else 0


def _count_in_sentences(found: list[Sentence], keyphrase: str) -> int:
    kwords = keyphrase_words(keyphrase)
    if not kwords:
        return 0
    return sum(_count_in_sentence(s, kwords) for s in found)


def keyphrase_count(text: str, keyphrase: str) -> int:
    """Occurrences of the keyphrase in a plain text, per sentence, exact word forms, any order:
    a sentence counts as many times as its rarest keyphrase word appears in it."""
    found = [Sentence(s, tokenize(s)) for s in sentences(text)]
    return _count_in_sentences(found, keyphrase)


def body_keyphrase_count(body_html: str, keyphrase: str) -> int:
    """keyphrase_count over the sentences of the body's tree view."""
    found = [s for b in blocks(body_html) for s in b.sentences]
    return _count_in_sentences(found, keyphrase)


def raw_keyphrase_density(body_html: str, keyphrase: str) -> float:
    """Keyphrase occurrences per 100 words of the body (hyphenated parts count as words)."""
    total = len(tree_words(body_html))
    if not total:
        return 0.0
    return body_keyphrase_count(body_html, keyphrase) / total * 100


def keyphrase_length_factor(keyphrase: str) -> float:
    """Yoast weighs the density by the keyphrase's length: 0.7 + content words / 3."""
    return 0.7 + len(keyphrase_words(keyphrase)) / 3


def keyphrase_density(body_html: str, keyphrase: str) -> float:
    """The percentage the density assessment compares with its 0.5-3 % band: the raw density
    weighted by the keyphrase length factor (one word: 1.03 x, two words: 1.37 x)."""
    return raw_keyphrase_density(body_html, keyphrase) * keyphrase_length_factor(keyphrase)


def share_of_keyphrase_words(text: str, keyphrase: str, *, hyphens_split: bool = False) -> int:
    """Percentage (rounded) of the keyphrase's words found anywhere in a string."""
    kwords = keyphrase_words(keyphrase.replace("-", " ") if hyphens_split else keyphrase)
    if not kwords:
        return 0
    text = normalize_quotes(_SPACE_RE.sub(" ", text))
    found = sum(1 for w in kwords if word_regex(normalize_quotes(w)).search(text))
    return round(found / len(kwords) * 100)


# --- title width ---------------------------------------------------------------------------------

# Advance widths of Arial (metric-compatible with Helvetica), in thousandths of an em.
_ARIAL_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333,
    ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278,
    "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469,
    "_": 556, "`": 333, "{": 334, "|": 260, "}": 334, "~": 584,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278,
    "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722,
    "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222,
    "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333,
    "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
    "\u00a0": 278, "\u202f": 278, "«": 556, "»": 556, "‹": 333, "›": 333, "–": 556, "—": 1000,
    "‘": 222, "’": 222, "‚": 222, "“": 333, "”": 333, "„": 333, "…": 1000, "€": 556, "°": 400,
    "œ": 944, "Œ": 1000, "æ": 889, "Æ": 1000, "ß": 611, "·": 278, "×": 584, "§": 556,
}
_DIGIT_WIDTH = 556
_DEFAULT_WIDTH = 556


def _char_width(ch: str) -> int:
    if ch in _ARIAL_WIDTHS:
        return _ARIAL_WIDTHS[ch]
    if ch.isdigit():
        return _DIGIT_WIDTH
    base = unicodedata.normalize("NFD", ch)[:1]  # é, Ç, ô... are as wide as their base letter
    return _ARIAL_WIDTHS.get(base, _DEFAULT_WIDTH)


def title_width_px(title: str) -> float:
    """Rendered width of a title in Arial 20 px (Google's desktop result title)."""
    return sum(_char_width(ch) for ch in title) * 20 / 1000
