"""Properties (hypothesis): feed parsing never crashes with anything but
FeedError, whatever the bytes; the sanitizer never lets a forbidden tag,
an event handler or a script URL through (issue 5, tests)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from bot.errors import FeedError
from bot.feeds.parse import parse_feed
from bot.sanitize import ALLOWED_TAGS, clean_html
from bot.seo.text import reader_text

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "svg",
    "math",
    "link",
    "meta",
    "base",
}
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "xlink:href", "background"}
MARKER = "XSSMARKER"  # text placed only inside script and style elements

# --- strategies: hostile HTML ----------------------------------------------

# Markup comes from the elements and the junk below; the words themselves hold none.
words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="<>&"),
    max_size=12,
)
tags = st.sampled_from(sorted(FORBIDDEN_TAGS | {"p", "a", "img", "b", "div", "h2", "li", "td"}))
script_urls = st.builds(
    lambda scheme, case, pad, rest: (
        pad
        + "".join(c.upper() if flip else c for c, flip in zip(scheme, case, strict=False))
        + rest
    ),
    st.sampled_from(SCRIPT_SCHEMES),
    st.lists(st.booleans(), min_size=11, max_size=11),
    st.sampled_from(["", " ", "\t", "\n", "&#x20;"]),
    st.sampled_from(["alert(1)", "text/html;base64,PHNjcmlwdD4=", "msgbox(1)"]),
)
attributes = st.one_of(
    st.builds(
        lambda n, v: f' on{n}="{v}"', st.sampled_from(["click", "error", "load", "x"]), words
    ),
    st.builds(lambda a, u: f' {a}="{u}"', st.sampled_from(sorted(URL_ATTRIBUTES)), script_urls),
    st.builds(lambda u: f" href={u}", script_urls),  # unquoted
    st.just(' style="background:url(javascript:alert(1))"'),
    st.just(' src="https://wire.example/photo.jpg"'),
)


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(tags)
    attrs = "".join(draw(st.lists(attributes, max_size=3)))
    if tag in ("script", "style"):
        inner = MARKER + draw(words)
    elif depth < 3:
        inner = "".join(draw(st.lists(st.one_of(words, elements(depth + 1)), max_size=3)))
    else:
        inner = draw(words)
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag.upper()}>", ""]))
    return f"<{tag}{attrs}>{inner}{closing}"


# Well formed: a script's content is script content for any parser.
element_soup = st.lists(st.one_of(words, elements()), max_size=6).map("".join)
# With stray comment and CDATA openers, "<" and "&": where a browser would see
# a bogus comment, the marker may honestly end up as text, so only the
# structure is checked on these.
JUNK = ["<!--", "-->", "<![CDATA[", "]]>", "<", "&", "<!", "</"]
hostile_html = st.lists(st.one_of(words, elements(), st.sampled_from(JUNK)), max_size=6).map(
    "".join
)


# --- the sanitizer -----------------------------------------------------------


def parsed(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="div")


def assert_clean(html: str) -> None:
    root = parsed(html)
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        assert element.tag not in FORBIDDEN_TAGS
        assert element.tag in ALLOWED_TAGS
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name.lower() != "style"
            if name.lower() in URL_ATTRIBUTES:
                scheme = "".join(value.split()).lower()
                assert not scheme.startswith(SCRIPT_SCHEMES), value


@FAST
@given(hostile_html)
@example("<h2><a><h2></a></h2>")  # mis-nested: one pass gave a heading inside a heading
def test_clean_html_lets_no_forbidden_tag_attribute_or_url_through(html: str):
    cleaned = clean_html(html)
    assert_clean(cleaned)
    assert clean_html(cleaned) == cleaned  # cleaning twice changes nothing


@FAST
@given(element_soup)
def test_script_and_style_content_is_dropped_not_kept_as_text(html: str):
    assert MARKER not in parsed(clean_html(html)).text_content()
    assert MARKER not in reader_text(html)


# --- feed parsing ------------------------------------------------------------


def parses_or_refuses(content: bytes, content_type: str = "") -> None:
    try:
        parsed = parse_feed(content, content_type=content_type, base_url="https://wire.example/")
    except FeedError:
        return
    for item in parsed.items:
        assert item.url == "" or item.url.startswith(("http://", "https://"))


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_raise_feed_error(content: bytes):
    parses_or_refuses(content)


@FAST
@given(
    st.sampled_from([b"<?xml version='1.0'?><rss version='2.0'>", b'{"version": ', b"<feed"]),
    st.binary(max_size=500),
)
def test_truncated_documents_parse_or_raise_feed_error(start: bytes, rest: bytes):
    parses_or_refuses(start + rest)


def field(value: str, how: str) -> str:
    """A feed field holding hostile HTML: escaped, in CDATA, or raw (often malformed)."""
    if how == "escaped":
        return escape(value)
    if how == "cdata":
        return "<![CDATA[" + value.replace("]]>", "") + "]]>"
    return value


items = st.lists(
    st.tuples(hostile_html, hostile_html, words, st.sampled_from(["escaped", "cdata", "raw"])),
    max_size=4,
)


@FAST
@given(items, st.sampled_from(["utf-8", "iso-8859-1", "windows-1252"]))
def test_rss_documents_with_hostile_html(entries, encoding: str):
    body = "".join(
        f"<item><title>{field(title, how)}</title><guid>{escape(guid)}</guid>"
        f"<link>https://wire.example/{escape(guid)}</link>"
        f"<description>{field(text, how)}</description></item>"
        for title, text, guid, how in entries
    )
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>Fil</title>{body}</channel></rss>"
    )
    parses_or_refuses(document.encode("utf-8"), "application/rss+xml")


@FAST
@given(items)
def test_atom_documents_with_hostile_html(entries):
    body = "".join(
        f'<entry><title type="html">{field(title, how)}</title><id>{escape(guid)}</id>'
        f'<link href="https://wire.example/{escape(guid, {chr(34): "&quot;"})}"/>'
        f'<content type="html">{field(text, how)}</content></entry>'
        for title, text, guid, how in entries
    )
    document = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Fil</title>{body}</feed>"
    )
    parses_or_refuses(document.encode("utf-8"), "application/atom+xml")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(words, children)),
    max_leaves=8,
)
json_items = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(words, json_values),
        "url": st.one_of(st.just("https://wire.example/a"), script_urls, json_values),
        "title": st.one_of(hostile_html, json_values),
        "content_html": st.one_of(hostile_html, json_values),
        "content_text": st.one_of(hostile_html, json_values),
        "date_published": st.one_of(st.just("2025-03-03T08:00:00Z"), words, json_values),
        "image": st.one_of(script_urls, json_values),
        "authors": json_values,
    },
)


@FAST
@given(st.lists(st.one_of(json_items, json_values), max_size=4), json_values)
def test_json_feeds_with_hostile_html_and_odd_types(entries, title):
    document = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": entries}
    parses_or_refuses(json.dumps(document).encode("utf-8"), "application/feed+json")
