"""The gate on a story told by several sources: the facts are checked against all of them
together, the headline against each one's, the links and the credit name every source."""

from __future__ import annotations

from bot.quality import apply_local_fixes, check
from bot.quality.facts import SourceFacts, source_facts, unsupported_facts
from bot.quality.fixes import credit_paragraph
from tests.quality.articles import three_wires, with_body, with_fields


def test_a_draft_written_from_three_wires_passes_quietly(good, settings):
    wires = three_wires()
    fixed = apply_local_fixes(good, wires, settings)
    result = check(fixed, wires, settings)
    assert result.failures == [] and result.flagged_facts == []


def test_each_wire_alone_would_not_support_the_draft(good):
    # What makes the quiet verdict above mean something: the facts really are spread.
    for wire in three_wires():
        assert unsupported_facts(good, [wire])


def test_a_figure_only_the_second_wire_gives_is_supported(good):
    first, second, third = three_wires()
    assert "5,2 millions" in second.text and "5,2 millions" not in first.text + third.text
    assert unsupported_facts(good, [first, second, third]) == []


def test_a_fact_in_no_wire_is_still_caught(good, settings):
    wires = three_wires()
    bad = with_body(good, "41 voix pour", "43 voix pour")
    assert unsupported_facts(bad, wires) == ["nombre 43"]
    invented = with_body(good, "Marc Delorme", "Sophie Garnier")
    failure = check(apply_local_fixes(invented, wires, settings), wires, settings).failed(
        "unsupported_facts")
    assert failure is not None and "personne Sophie Garnier" in failure.items


def test_a_quotation_never_runs_from_one_source_into_the_next():
    facts = SourceFacts.union([source_facts("", "il a dit bonjour", ""),
                               source_facts("", "merci beaucoup", "")])
    assert facts.supports_words(["dit", "bonjour"]) and facts.supports_words(["merci"])
    assert not facts.supports_words(["bonjour", "merci"])


def test_the_headline_must_be_new_against_every_wire(good, settings):
    wires = three_wires()
    copied = with_fields(good, title="Plan Écoles 2030 : l'opposition et les parents réagissent")
    failure = check(copied, wires, settings).failed("headline_new")
    assert failure is not None and wires[2].title in failure.message


def test_links_to_any_wire_are_the_sources_own(good, settings):
    wires = three_wires()
    linked = with_body(good, "Marc Delorme", f'<a href="{wires[1].url}">Marc Delorme</a>')
    assert check(linked, wires, settings).failed("links") is None
    foreign = with_body(good, "Marc Delorme",
                        '<a href="https://ailleurs.example/x">Marc Delorme</a>')
    assert check(foreign, wires, settings).failed("links") is not None


def test_the_credit_names_every_wire_with_its_link(good, settings):
    wires = three_wires()
    body = apply_local_fixes(good, wires, settings).body_html
    credit = credit_paragraph(wires)
    assert body.endswith(credit)
    assert credit.startswith("<p>Sources\u202f: ")
    for wire in wires:
        assert f'<a href="{wire.url}" rel="noopener noreferrer">{wire.source_name}</a>' in credit
    assert "Agence Alpes</a>, <a " in credit and "Fil Isère</a> et <a " in credit


def test_one_source_keeps_its_credit_as_it_was(source):
    assert credit_paragraph([source]) == (
        f'<p>Source\u202f: <a href="{source.url}" rel="noopener noreferrer">'
        f"{source.source_name}</a></p>")
