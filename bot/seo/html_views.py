"""HTML to text, in named views: the one place a body's HTML becomes text.

- the *reader view* (`reader_text`): every text a reader sees, quotations included, one
  paragraph per block, separated by blank lines; what the feeds store of an item (title,
  text, categories) and what the fact check reads;
- `quotations`: the text of each blockquote and q, which the language rule judges apart
  (Yoast's views leave them out);
- Yoast SEO's two views of the body (yoastseo 3.6.0), whose counts differ slightly, so both
  are reproduced:
  - the *string view* (`string_view_text`, `count_words`, `sections`): script, style, code,
    pre, blockquote and textarea are dropped, every tag becomes a space, words are split on
    whitespace and stripped of surrounding punctuation;
  - the *tree view* (`blocks`, `paragraphs`, `subheadings`, `tree_view_text`: sentences,
    paragraphs, keyphrase counts, density): the HTML is parsed into paragraphs (explicit
    ``<p>`` plus implicit ones: loose text in ``div``, ``li``...) and headings; quotes and
    code (blockquote, q, cite, code, pre...) are left out; each block is split into
    sentences and each sentence into tokens.

Not here: the main text of an article page, which trafilatura extracts (bot.feeds.article).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from lxml import etree
from lxml import html as lxml_html

from bot.sanitize import clean_html, valid_characters
from bot.seo.sentence_split import split_sentences
from bot.seo.tokens import SPACE_RE, Sentence, tokenize, words

# Elements whose whole content the string view ignores (word count, sections).
STRING_VIEW_IGNORED = frozenset({"script", "style", "code", "pre", "blockquote", "textarea"})
# Elements the tree view removes with their content: quotes, code, embedded or non-text content.
TREE_VIEW_IGNORED = frozenset(
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


# --- HTML parsing ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def parse_body(html: str) -> etree._Element:
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
        if tag != "#comment" and tag not in STRING_VIEW_IGNORED and not _has_ignored_class(child):
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
    return _element_text(parse_body(html))


def count_words(html: str) -> int:
    """The body word count exactly as Yoast's text length assessment counts it."""
    return len(words(string_view_text(html)))


# --- the tree view: paragraphs, headings, sentences, tokens --------------------------------------


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


def inline_text(element: etree._Element) -> str:
    """innerText of phrasing content: <br> is a newline, quotes and code are emptied."""
    tag = _tag(element)
    if tag == "br":
        return "\n"
    if tag == "#comment" or tag in TREE_VIEW_IGNORED or _has_ignored_class(element):
        return ""
    parts = [element.text or ""]
    for child in element:
        parts.append(inline_text(child))
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
    return node if name == "#text" else inline_text(node)  # type: ignore[return-value,arg-type]


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
    kept = [n for n in run.names if n != "#comment" and n not in TREE_VIEW_IGNORED]
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
    if tag == "#comment" or tag in TREE_VIEW_IGNORED or _has_ignored_class(element):
        return
    ctx = ctx.entering(tag, element)
    if tag in _HEADINGS:
        blocks.append(_new_block("h", _HEADINGS[tag], inline_text(element), False, ctx))
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
        blocks.append(_new_block("p", 0, inline_text(element), only_links, ctx))
        return
    _collect_implicit(nodes, blocks, ctx)


@lru_cache(maxsize=32)
def blocks(html: str) -> tuple[Block, ...]:
    """Paragraphs and headings of the tree view, each split into sentences and tokens."""
    found: list[Block] = []
    root = parse_body(html)
    _collect_implicit(_children_with_text(root), found, _Context())
    for block in found:
        block.sentences = [
            Sentence(text, tokenize(text)) for text in split_sentences(block.text, trim=False)
        ]
    return tuple(found)


def tree_view_text(html: str) -> str:
    """Visible text of the body as Yoast analyses it: one block (paragraph, heading) per line
    pair; blockquote, q, cite, code and other non-prose elements removed."""
    return "\n\n".join(SPACE_RE.sub(" ", b.text).strip() for b in blocks(html) if b.text.strip())


def paragraphs(html: str) -> list[str]:
    """Texts of the paragraphs (explicit and implicit) that contain at least one word."""
    return [
        SPACE_RE.sub(" ", b.text).strip()
        for b in blocks(html)
        if b.kind == "p" and b.word_count
    ]


def subheadings(html: str) -> list[tuple[int, str]]:
    """(level, text) of the h2..h6 subheadings (the keyphrase assessment keeps only h2 and h3)."""
    return [
        (b.level, SPACE_RE.sub(" ", b.text).strip())
        for b in blocks(html)
        if b.kind == "h" and b.level >= 2
    ]


def sections(html: str) -> list[tuple[str | None, str]]:
    """(heading text or None, text below it) as the subheading distribution assessment splits
    the body: on every h1..h6; the text before the first heading is a section only if it has
    words, and only when the body has headings at all."""
    found: list[tuple[str | None, list[str]]] = [(None, [])]
    for level, piece in _string_view_pieces(parse_body(html)):
        if level:
            found.append((SPACE_RE.sub(" ", piece).strip(), []))
        else:
            found[-1][1].append(piece)
    result = [(heading, SPACE_RE.sub(" ", "".join(parts)).strip()) for heading, parts in found]
    if len(result) == 1:
        return result if words(result[0][1]) else []
    intro = result[0]
    return ([intro] if words(intro[1]) else []) + result[1:]


# --- sentence splitting ------------------------------------------------------------------------

def tree_words(html: str) -> list[str]:
    """All words of the tree view (hyphens split words), the denominator of the density."""
    return [w for b in blocks(html) for s in b.sentences for w in s.words_split_on_hyphens]


# --- the reader view ---------------------------------------------------------------------------

_READER_BLOCKS = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "tr", "figcaption",
)
_READER_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


def reader_text(html: str) -> str:
    """Every text a reader sees, quotations included: one paragraph per block, separated by
    blank lines, a <br> a line break; what no reader sees (script, style...) is dropped."""
    html = valid_characters(html)
    if not html.strip():
        return ""
    if "<" not in html:
        return _tidy(html)
    root = lxml_html.fragment_fromstring(clean_html(html), create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for cell in root.iter("td", "th"):  # a row is one paragraph, its cells apart
        cell.tail = " " + (cell.tail or "")
    for block in root.iter(*_READER_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
        block.text = "\n\n" + (block.text or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    paragraphs = (_READER_SPACES.sub(" ", part).strip() for part in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def quotations(html: str) -> list[str]:
    """The text of each blockquote and q of the body, in order."""
    if "<blockquote" not in html and "<q" not in html:
        return []
    root = parse_body(html)
    return [" ".join(q.text_content().split()) for q in root.xpath("//blockquote | //q")]
