"""Every source is credited with its link where the draft goes: the WordPress body's credit
line, the editor's note and the provenance meta, and the outbox's record and page."""

from __future__ import annotations

import json
from pathlib import Path

from bot.config.wordpress import WordPressSettings
from bot.publish.outbox import OutboxPublisher
from bot.publish.wordpress.content import body_blocks, credit_line, editor_note
from bot.publish.wordpress.publisher import provenance
from bot.story import Draft, SourceArticle, Submission
from tests.quality.articles import three_wires

DRAFT = Draft(
    title="Écoles de Grenoble : un plan de 48 millions d'euros",
    seo_title="Écoles de Grenoble : un plan de 48 millions",
    meta_description="Le conseil municipal de Grenoble a voté un plan de rénovation des écoles.",
    focus_keyphrase="écoles de Grenoble",
    slug="ecoles-de-grenoble",
    excerpt="Grenoble rénove ses écoles.",
    body_html="<p>Le conseil municipal de Grenoble a voté un plan pour ses écoles.</p>",
    writer="scripted",
)


def submission(sources: list[SourceArticle]) -> Submission:
    return Submission("uid-credits", DRAFT, tuple(sources), "Éducation")


def test_the_credit_line_names_every_source_with_its_link():
    wires = three_wires()
    line = credit_line(submission(wires))
    assert (f'D’après <a href="{wires[0].url}">Agence Alpes</a>, '
            f'<a href="{wires[1].url}">Fil Isère</a> et '
            f'<a href="{wires[2].url}">Dépêches Rhône</a>.') in line
    assert body_blocks(submission(wires)).endswith(line)


def test_one_source_keeps_its_credit_line():
    (wire, *_) = three_wires()
    assert credit_line(submission([wire])) == (
        "<!-- wp:paragraph -->\n"
        f'<p><em>D’après <a href="{wire.url}">Agence Alpes</a>.</em></p>\n'
        "<!-- /wp:paragraph -->")


def test_the_editor_note_and_the_provenance_list_every_source():
    wires = three_wires()
    note = editor_note(submission(wires), []).splitlines()
    assert note[:4] == ["Sources (3) :", *(f"- {w.source_name} — {w.title} : {w.url}"
                                           for w in wires)]
    meta = json.loads(provenance(submission(wires), WordPressSettings(url="https://x.example", user="bot"),
                                 []))
    assert meta["sources"] == [{"name": w.source_name, "title": w.title, "url": w.url}
                               for w in wires]


def test_one_source_keeps_its_editor_note():
    (wire, *_) = three_wires()
    note = editor_note(submission([wire]), []).splitlines()
    assert note[:2] == [f"Source : Agence Alpes — {wire.title}", f"Lien : {wire.url}"]


def test_the_outbox_draft_names_every_source(tmp_path: Path):
    wires = three_wires()
    receipt = OutboxPublisher(tmp_path).publish(submission(wires))
    record = json.loads((tmp_path / f"{receipt.post_id}.json").read_text("utf-8"))
    assert record["sources"] == [{"name": w.source_name, "title": w.title, "url": w.url}
                                 for w in wires]
    assert record["source_url"] == wires[0].url  # the primary, as before
    page = (tmp_path / f"{receipt.post_id}.html").read_text("utf-8")
    assert (f'Sources : <a href="{wires[0].url}">{wires[0].title}</a> (Agence Alpes), '
            f'<a href="{wires[1].url}">{wires[1].title}</a> (Fil Isère) et ') in page
