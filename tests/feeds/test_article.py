"""The article page behind a short feed item, read from a real server."""

from __future__ import annotations

from bot.feeds.article import fetch_article
from bot.net.http import Limits
from tests.servers.web import RecordedRequest, Reply, WebServer

PAGE = """<html><head><meta property="og:image" content="/img/une.jpg"></head><body>
<nav><p>Accueil</p><p>Politique</p></nav>
<article><h1>Titre</h1>
<p>Le tribunal administratif a annulé jeudi l'arrêté municipal interdisant les terrasses après minuit.</p>
<h2>Un recours des commerçants</h2>
<p>Les commerçants du centre-ville avaient saisi la justice au printemps, estimant la mesure disproportionnée.</p>
<script>track()</script></article></body></html>"""


def test_page_text_and_og_image_after_a_transient_error(web_server: WebServer):
    answers = iter([Reply(status=503, headers={"Retry-After": "0"}),
                    Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})])

    def page(_request: RecordedRequest) -> Reply:
        return next(answers)

    url = web_server.route("/article", page)
    article = fetch_article(url, Limits(allow_private=True, timeout=5))
    assert article is not None
    assert article.image_url == f"{web_server.url}/img/une.jpg"
    assert article.text.startswith("Le tribunal administratif a annulé jeudi")
    assert "Un recours des commerçants" in article.text
    assert "Accueil" not in article.text and "track" not in article.text
    assert web_server.hits("/article") == 2  # the 503 was retried


def test_a_page_that_cannot_be_had_is_none(web_server: WebServer):
    url = web_server.route("/gone", Reply(status=404))
    assert fetch_article(url, Limits(allow_private=True, timeout=5)) is None
    assert web_server.hits("/gone") == 1  # a 404 is not retried


def test_a_latin1_page_declared_only_in_its_meta(web_server: WebServer):
    page = PAGE.replace("<head>", '<head><meta charset="iso-8859-1">').encode("iso-8859-1")
    url = web_server.route("/latin1", Reply(body=page, headers={"Content-Type": "text/html"}))
    article = fetch_article(url, Limits(allow_private=True, timeout=5))
    assert article is not None and "annulé jeudi l'arrêté" in article.text
