"""A source in English is translated and rewritten into French in the same call, and the
gate checks the French answer's facts against the English source."""

from __future__ import annotations

import json
from pathlib import Path

from bot.story import SourceArticle
from tests.servers.llm import ScriptedLLM, answer
from tests.writer.conftest import make_writer

DATA = Path(__file__).parent / "data"
SOURCE = SourceArticle(**json.loads((DATA / "source_english.json").read_text(encoding="utf-8")))
FRENCH = json.loads((DATA / "draft_from_english.json").read_text(encoding="utf-8"))


def test_an_english_wire_becomes_a_french_draft_in_one_call(llm: ScriptedLLM):
    llm.script(answer(json.dumps(FRENCH, ensure_ascii=False)))
    # A short wire: the newsroom lowered the length target for this test.
    outcome = make_writer(llm, min_words=150).write([SOURCE], category="", record=lambda c: None)
    assert outcome.draft is not None and outcome.repairs == 0
    assert len(llm.calls) == 1
    user = llm.calls[0]["messages"][1]["content"]
    assert "Langue de la source : anglais" in user and "en français" in user
    # "Tuesday, March 3" supports « mardi 3 mars »; "$12 million" supports « 12 millions de dollars ».


def test_a_fact_the_english_source_does_not_hold_is_sent_back(llm: ScriptedLLM):
    invented = dict(FRENCH, body_html=FRENCH["body_html"].replace("180 maisons", "190 maisons"))
    llm.script(answer(json.dumps(invented, ensure_ascii=False)), answer(json.dumps(FRENCH, ensure_ascii=False)))
    outcome = make_writer(llm, min_words=150).write([SOURCE], category="", record=lambda c: None)
    assert outcome.draft is not None and outcome.repairs == 1
    assert "nombre 190" in llm.calls[1]["messages"][-1]["content"]
