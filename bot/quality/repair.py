"""The follow-up message that sends a failed answer back to the model.

Resending the whole conversation made each repair longer than the call before it (3,192 →
5,282 → 7,373 prompt tokens for one story). So a repair quotes only what must change: the
fields and the numbered blocks of the body that fail, and the model answers with those keys
alone (a *patch*, applied to the last answer by the writer). Only failures that concern the
whole body (too short, no subheading, density, Markdown...) need the last answer in full: the
request then asks for the full corrected object, and the writer puts that one answer (never
the earlier ones) back in the conversation.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.config.quality import QualitySettings
from bot.quality import markup
from bot.quality.facts import unsupported_facts
from bot.quality.result import Failure
from bot.quality.rules import fr_number, language_rules, linkable_hosts
from bot.seo.text import share_of_keyphrase_words, subheadings
from bot.story import DRAFT_KEYS, Draft, SourceArticle

# The key of a patch answer that replaces blocks of the body: {"blocs": {"3": "<p>…</p>"}}.
PATCH_BLOCKS_KEY = "blocs"
# Text fields a patch may replace, as the repair request names them.
FIELD_NAMES = {
    "title": "titre",
    "seo_title": "titre SEO",
    "meta_description": "méta description",
    "focus_keyphrase": "expression clé",
    "excerpt": "extrait",
}

# What to do about each rule, beyond the measured value and the target.
_HINTS = {
    "language": "réécrivez tout en français (titre, champs SEO, chaque paragraphe)",
    "min_words": "développez avec les seules informations de la source, sans rien inventer",
    "h2": "découpez le corps avec des intertitres <h2>",
    "section_length": "ajoutez des intertitres <h2> ou <h3> pour couper les sections longues",
    "h1": "remplacez chaque <h1> par un <h2>",
    "html": "n'utilisez que des balises simples : <p>, <h2>, <h3>, <ul>, <li>, <strong>, <em>, <a>",
    "markdown": "écrivez le corps en HTML, sans aucune syntaxe Markdown",
    "links": "retirez tout lien qui ne mène pas à la source",
    "headline_new": "écrivez un titre neuf, en français, avec d'autres mots que la source",
    "keyphrase_density": "ajustez le nombre d'occurrences de l'expression clé dans le corps",
}
# Rules a field alone fails: the patch replaces that field.
_FIELD_OF = {
    "seo_title_length": "seo_title",
    "seo_title_width": "seo_title",
    "keyphrase_in_seo_title": "seo_title",
    "meta_length": "meta_description",
    "keyphrase_in_meta": "meta_description",
    "headline_new": "title",
    "keyphrase": "focus_keyphrase",
    "slug": "focus_keyphrase",  # the slug is rebuilt from the keyphrase
}


@dataclass
class RepairRequest:
    text: str
    # True: the model answers with the changed keys only, and the conversation needs none of
    # its earlier answers; False: the full corrected object, after the last answer in full.
    patch: bool


def repair_request(failures: list[Failure], draft: Draft, sources: Sequence[SourceArticle],
                   settings: QualitySettings) -> RepairRequest:
    """The targeted follow-up user message: every failure with its measured value and target,
    the unsupported facts by name, the subheadings to change, and the passages concerned."""
    parts = _parts_to_change(failures, draft, sources, settings)
    lines = ["Votre réponse ne passe pas le contrôle qualité. Corrigez chacun de ces points :", ""]
    for number, failure in enumerate(failures, start=1):
        lines.append(f"{number}. [{failure.rule}] {failure.message}{_measure(failure)}")
        if failure.rule == "unsupported_facts":
            lines.append("   Ces éléments ne figurent pas dans la source : retirez-les ou "
                         "reprenez exactement ce que dit la source, sans rien inventer :")
        elif failure.rule == "keyphrase_in_subheadings":
            lines.extend(_subheadings_to_change(draft, settings))
        elif failure.rule in _HINTS:
            lines.append(f"   → {_HINTS[failure.rule]}.")
        lines.extend(f"   - {item}" for item in failure.items)
    lines += ["", "Gardez tout ce qui était correct. Rappel des cibles : corps d'au moins "
              f"{settings.min_words} mots, titre SEO de {settings.seo_title_max_chars} caractères "
              f"au plus, méta description de {settings.meta_min_chars} à "
              f"{settings.meta_max_chars} caractères."]
    if parts is None:
        lines.append("Répondez uniquement par l'objet JSON corrigé, sans texte autour, avec "
                     f"exactement les mêmes clés : {', '.join(DRAFT_KEYS)}.")
        return RepairRequest("\n".join(lines), patch=False)
    fields, blocks = parts
    lines += ["", "Les passages concernés de votre réponse :"]
    lines += [f"- {key} ({FIELD_NAMES[key]}) : {getattr(draft, key)}" for key in fields]
    every_block = markup.body_blocks(draft.body_html)
    lines += [f"- bloc {n} du corps : {every_block[n - 1]}" for n in blocks]
    keys = [*fields, PATCH_BLOCKS_KEY] if blocks else fields
    lines += ["", "Répondez uniquement par un objet JSON corrigé, sans texte autour, avec les "
              f"seules clés à changer ({', '.join(keys)})"
              + (f" ; « {PATCH_BLOCKS_KEY} » associe le numéro d'un bloc à son nouveau HTML "
                 "(un ou plusieurs éléments)" if blocks else "")
              + ". Tout ce que vous ne renvoyez pas reste tel quel."]
    return RepairRequest("\n".join(lines), patch=True)


def _measure(failure: Failure) -> str:
    if failure.measured is None or failure.target is None:
        return ""
    return f" (mesuré : {failure.measured} ; cible : {failure.target})"


# --- what a patch must change --------------------------------------------------------------------

Finder = Callable[["Draft", Sequence["SourceArticle"], QualitySettings], bool]

# Rules judged part by part: a part fails when the rule fails on that part alone.
_PER_PART: dict[str, Finder] = {
    "unsupported_facts": lambda part, sources, s: bool(unsupported_facts(part, sources)),
    "language": lambda part, sources, s: bool(language_rules(part, s)),
    "links": lambda part, sources, s: bool(markup.foreign_links(
        part.body_html, linkable_hosts(sources, s))),
}


def _parts_to_change(failures: list[Failure], draft: Draft, sources: Sequence[SourceArticle],
                     settings: QualitySettings) -> tuple[list[str], list[int]] | None:
    """The fields and body blocks (numbered from 1) a patch must replace; None when a failure
    concerns the whole body, or the parts cannot be found, so the full answer must come back."""
    fields: set[str] = set()
    blocks: set[int] = set()
    every_block = markup.body_blocks(draft.body_html)
    for failure in failures:
        if failure.rule in _FIELD_OF:
            fields.add(_FIELD_OF[failure.rule])
        elif failure.rule == "keyphrase_in_intro":
            first = next((n for n, b in enumerate(every_block, 1) if b.startswith("<p")), None)
            if first is None:
                return None
            blocks.add(first)
        elif failure.rule == "keyphrase_in_subheadings":
            blocks.update(n for n, b in enumerate(every_block, 1) if b.startswith(("<h2", "<h3")))
        elif failure.rule in _PER_PART and not _whole_body_foreign(failure):
            found = _failing_parts(_PER_PART[failure.rule], draft, every_block, sources,
                                   settings)
            if found is None:
                return None
            fields.update(found[0])
            blocks.update(found[1])
        else:
            return None
    if len(blocks) * 2 > len(every_block):
        return None  # most of the body changes: no shorter than the whole answer
    return sorted(fields, key=list(FIELD_NAMES).index), sorted(blocks)


def _whole_body_foreign(failure: Failure) -> bool:
    # "mixte" is a few blocks; any other measured language means the body itself is foreign.
    return failure.rule == "language" and failure.measured != "mixte"


def _failing_parts(fails: Finder, draft: Draft, every_block: list[str],
                   sources: Sequence[SourceArticle],
                   settings: QualitySettings) -> tuple[set[str], set[int]] | None:
    empty = dataclasses.replace(draft, title="", seo_title="", meta_description="", excerpt="",
                                body_html="")
    fields = {key for key in ("title", "seo_title", "meta_description", "excerpt")
              if fails(dataclasses.replace(empty, **{key: getattr(draft, key)}), sources,
                       settings)}
    blocks = {n for n, block in enumerate(every_block, 1)
              if fails(dataclasses.replace(empty, body_html=block), sources, settings)}
    # A failure no single part shows (a fact spread over two blocks) needs the whole answer.
    return (fields, blocks) if fields or blocks else None


def _subheadings_to_change(draft: Draft, settings: QualitySettings) -> list[str]:
    """Which subheadings to rewrite, by their text, and how many: a third to a half of them
    should hold the keyphrase (Yoast counts h2 and h3)."""
    keyphrase = draft.focus_keyphrase
    heads = [text for level, text in subheadings(draft.body_html) if level in (2, 3)]
    holding = [t for t in heads if share_of_keyphrase_words(t, keyphrase) > 50]
    low = max(1, math.ceil(len(heads) * settings.subheadings_keyphrase_min / 100))
    high = max(low, math.floor(len(heads) * settings.subheadings_keyphrase_max / 100))
    if len(holding) < low:
        others = [t for t in heads if t not in holding]
        wanted = low - len(holding)
        lines = [f"   → mettez l'expression clé « {keyphrase} » (ou une variante proche) dans "
                 f"{wanted} de plus de ces intertitres, sans changer leur sens :"]
        return lines + [f"   - « {t} »" for t in others]
    extra = len(holding) - high
    lines = [f"   → retirez l'expression clé de {extra} de ces intertitres "
             f"(au plus {fr_number(high, 0)} sur {len(heads)}) :"]
    return lines + [f"   - « {t} »" for t in holding]
