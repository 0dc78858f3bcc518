"""Facts: every number, date, quotation and name of the article must be supported by the source.

A story told by several sources is checked against all of them together: a figure only the
second wire gives is supported, one that none gives is not. A quotation must stand whole in
one source (two sources' words put end to end support no quotation).

A rewrite may reorder, shorten and rephrase, but it must not add. The check is deliberately
literal: it compares normalised forms (numbers as values, dates as day and month, quotations as
folded word sequences, names as folded words) and reports what the source does not hold, each
fact by name ("nombre 3 400", "date 6 février", "personne Jeanne Martin", "citation « ... »").

Names come from spaCy's French model, but only for the sentences that need it: a sentence whose
capitalised words all appear in the source cannot name anyone new, so the model never sees it.
That keeps the check fast (the model costs ~0.1 ms a word) without changing its verdicts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

from bot.nlp import Pipes, french, lemma_words, loaded_once
from bot.quality.injection import without_injections
from bot.quality.lexicon import stop_word_list
from bot.seo.text import fold_accents, reader_text, sentences
from bot.story import Draft, SourceArticle

log = logging.getLogger(__name__)

MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# A source may be in English (the writer translates it): its dates support French ones.
_ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ENGLISH_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_OF = {m: i + 1 for i, m in enumerate(MONTHS)} | {
    m: i + 1 for i, m in enumerate(_ENGLISH_MONTHS)
}
_WEEKDAY_OF = {d: i for i, d in enumerate(WEEKDAYS)} | {
    d: i for i, d in enumerate(_ENGLISH_WEEKDAYS)
}

_ENTITY_KINDS = {"PER": "personne", "ORG": "organisation", "LOC": "lieu"}
# Spaces a French text puts inside numbers ("2 500"): space, no-break, narrow no-break, thin.
_SPACES = "\u00a0\u202f\u2009\u2007"
_MULTIPLIERS = {
    "mille": 10**3,
    "million": 10**6,
    "millions": 10**6,
    "milliard": 10**9,
    "milliards": 10**9,
    "k": 10**3,
    "m": 10**6,
    "md": 10**9,
    "mds": 10**9,
}

# Word numbers below this stay words: "deux", "trois"... are too often plain words
# ("les deux pays", "un bâtiment neuf") for an unsupported one to mean an invented fact.
WORD_NUMBER_THRESHOLD = 10

_PERCENT_WORDS_RE = re.compile(r"\bpour\s*cent\b|\bpourcents?\b", re.IGNORECASE)
_THOUSANDS_SPACE_RE = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?![\d])")
_THOUSANDS_DOT_RE = re.compile(r"(?<![\d,.])\d{1,3}(?:\.\d{3})+(?![\d.,])")
_MULTIPLIED_RE = re.compile(
    r"(?<![\d,.])(\d+(?:,\d+)?)\s*(milliards?|millions?|mille|mds?(?=\s*€)|m(?=\s*€)|k(?=\s*€))\b",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"(?<![\d,.])(\d+(?:[.,]\d+)?)(\s*%)?")
_MONTH_ALT = "|".join(_MONTH_OF)
_WEEKDAY_ALT = "|".join(_WEEKDAY_OF)
_DAY_MONTH_RE = re.compile(rf"\b(1er|\d{{1,2}})\s+({_MONTH_ALT})\b")
_MONTH_DAY_RE = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])")
_MONTH_RE = re.compile(rf"\b({_MONTH_ALT})\b")
_WEEKDAY_RE = re.compile(rf"\b({_WEEKDAY_ALT})s?\b")
_QUOTE_RE = re.compile(r"«\s*(.+?)\s*»|“\s*(.+?)\s*”|\"\s*([^\"]+?)\s*\"", re.DOTALL)
_ELLIPSIS_RE = re.compile(r"[\[(]\s*(?:…|\.\.\.)\s*[\])]|…|\.\.\.")
_FOLDED_WORD_RE = re.compile(r"[a-z0-9]+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# Elided articles and pronouns ("l'", "d'", "qu'"): never part of a name.
_ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})


def fold(text: str) -> str:
    """Lower case, accents and ligatures folded, typographic apostrophes made straight."""
    return fold_accents(text).lower().replace("’", "'").replace("‘", "'")


def folded_words(text: str) -> list[str]:
    return _FOLDED_WORD_RE.findall(fold(text))


def normalise_numbers(text: str) -> str:
    """Write every number the same way: digits, no thousands separator, multipliers applied.

    "2 500", "2.500", "deux mille cinq cents" → "2500"; "3 millions", "3 M€" → "3000000";
    "12 pour cent" → "12 %". Decimal commas stay ("2,5").
    """
    for space in _SPACES:
        text = text.replace(space, " ")
    text = _PERCENT_WORDS_RE.sub("%", text)
    text = _THOUSANDS_SPACE_RE.sub(lambda m: m.group().replace(" ", ""), text)
    text = _THOUSANDS_DOT_RE.sub(lambda m: m.group().replace(".", ""), text)
    text = _MULTIPLIED_RE.sub(_expand_multiplier, text)
    return alpha2digit(text, "fr", threshold=WORD_NUMBER_THRESHOLD)


def _expand_multiplier(match: re.Match[str]) -> str:
    value = float(match.group(1).replace(",", ".")) * _MULTIPLIERS[match.group(2).lower()]
    return _format_value(value).replace(" ", "")


def _format_value(value: float) -> str:
    """A number as a French reader writes it: "3 400", "2,5", and years as years: "2024"."""
    if value == int(value):
        if 1900 <= value <= 2100:
            return str(int(value))
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.6g}".replace(",", " ").replace(".", ",")


def _value(raw: str) -> float:
    return round(float(raw.replace(",", ".")), 6)


# --- the source, once ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFacts:
    """Everything the source can support, in normalised form."""

    numbers: frozenset[float]
    day_months: frozenset[tuple[int, int]]
    months: frozenset[int]
    weekdays: frozenset[int]
    words: frozenset[str]
    word_prefixes: frozenset[str]  # 4-letter prefixes of the words, for place adjectives
    phrase: str  # the folded words joined by single spaces, framed by spaces

    def supports_words(self, folded: list[str]) -> bool:
        return f" {' '.join(folded)} " in self.phrase

    @classmethod
    def union(cls, each: Sequence[SourceFacts]) -> SourceFacts:
        """What several sources support together. Their phrases are kept apart by a mark
        no folded word holds, so that no quotation runs from one source into the next."""
        if len(each) == 1:
            return each[0]
        return cls(
            numbers=frozenset().union(*(f.numbers for f in each)),
            day_months=frozenset().union(*(f.day_months for f in each)),
            months=frozenset().union(*(f.months for f in each)),
            weekdays=frozenset().union(*(f.weekdays for f in each)),
            words=frozenset().union(*(f.words for f in each)),
            word_prefixes=frozenset().union(*(f.word_prefixes for f in each)),
            phrase="|".join(f.phrase for f in each),
        )


@lru_cache(maxsize=16)
def source_facts(title: str, text: str, source_name: str) -> SourceFacts:
    """Facts of a source, cached: the repair loop checks several answers against one source.
    Instructions injected into the source support nothing."""
    raw = f"{title}\n\n{without_injections(text)}\n\n{source_name}"
    folded = fold(normalise_numbers(raw))
    all_words = _FOLDED_WORD_RE.findall(folded)
    day_months = {(day, month) for _, day, month in _dates(folded)}
    for match in _NUMERIC_DATE_RE.finditer(folded):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            day_months.add((day, month))
    return SourceFacts(
        numbers=frozenset(_value(m.group(1)) for m in _NUMBER_RE.finditer(folded)),
        day_months=frozenset(day_months),
        months=frozenset(_MONTH_OF[m] for m in _MONTH_RE.findall(folded)),
        weekdays=frozenset(_WEEKDAY_OF[d] for d in _WEEKDAY_RE.findall(folded)),
        words=frozenset(all_words),
        word_prefixes=frozenset(w[:4] for w in all_words if len(w) >= 4),
        phrase=f" {' '.join(all_words)} ",
    )


def _dates(folded: str) -> Iterator[tuple[tuple[int, int], int, int]]:
    """(span, day, month) of "6 fevrier", "1er mai" and, for English sources, "February 6"."""
    for match in _DAY_MONTH_RE.finditer(folded):
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        yield match.span(), day, _MONTH_OF[match.group(2)]
    for match in _MONTH_DAY_RE.finditer(folded):
        yield match.span(), int(match.group(2)), _MONTH_OF[match.group(1)]


# --- the article ---------------------------------------------------------------------------------


def article_text(draft: Draft) -> str:
    """Every field a reader sees, as plain text, one block per line pair."""
    fields = [draft.title, draft.seo_title, draft.meta_description, draft.excerpt]
    return "\n\n".join([*(f for f in fields if f.strip()), reader_text(draft.body_html)])


def unsupported_facts(draft: Draft, sources: Sequence[SourceArticle]) -> list[str]:
    """The article's facts no source holds, readable, in order of appearance."""
    facts = SourceFacts.union(
        [source_facts(s.title, s.text, s.source_name) for s in sources]
    )
    text = article_text(draft)
    normalised = normalise_numbers(text)
    found = [
        *_unsupported_dates_and_numbers(fold(normalised), facts),
        *_unsupported_quotations(normalised, facts),
        *_unsupported_names(text, facts),
    ]
    return list(dict.fromkeys(found))


def _unsupported_dates_and_numbers(folded: str, facts: SourceFacts) -> Iterator[str]:
    date_spans = []
    for span, day, month in _dates(folded):
        date_spans.append(span)
        if (day, month) not in facts.day_months:
            yield f"date {day} {_month_name(month)}"
    for month in _MONTH_RE.findall(_blank(folded, date_spans)):
        if _MONTH_OF[month] not in facts.months:
            yield f"mois {_month_name(_MONTH_OF[month])}"
    for day in _WEEKDAY_RE.findall(folded):
        if _WEEKDAY_OF[day] not in facts.weekdays:
            yield f"jour {WEEKDAYS[_WEEKDAY_OF[day]]}"
    for match in _NUMBER_RE.finditer(_blank(folded, date_spans)):
        value = _value(match.group(1))
        if value not in facts.numbers:
            kind = "pourcentage" if match.group(2) else "nombre"
            suffix = " %" if match.group(2) else ""
            yield f"{kind} {_format_value(value)}{suffix}"


def _month_name(month: int) -> str:
    return (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    )[month - 1]


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the given spans replaced by spaces (offsets kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _unsupported_quotations(text: str, facts: SourceFacts) -> Iterator[str]:
    for match in _QUOTE_RE.finditer(text):
        quote = next(g for g in match.groups() if g is not None)
        parts = [folded_words(part) for part in _ELLIPSIS_RE.split(quote)]
        if not all(facts.supports_words(part) for part in parts if part):
            shown = re.sub(r"\s+", " ", quote).strip()
            shown = shown if len(shown) <= 80 else shown[:77].rstrip() + "…"
            yield f"citation « {shown} »"


# --- names ---------------------------------------------------------------------------------------


def _nlp() -> Pipes:
    """spaCy's small French model with only the entity recogniser running."""
    return french("ner")


@loaded_once
def common_words() -> frozenset[str]:
    """Folded French common words (the model's lemma lists and stop words): a capitalised word
    that opens a sentence and is one of them ("Côté", "Reste", "Face") is no name, whatever the
    small model thinks. Folding the 95,000 words takes 0.3 s of CPU: once, and by one thread
    when several writers reach their first check together."""
    return frozenset(fold(w) for w in lemma_words() | stop_word_list("fr"))


def _capitalised_words(text: str, sentence_start: bool) -> list[str]:
    """Folded capitalised words of a name or sentence that a source must hold: a common word
    opening the sentence is left out."""
    found = []
    for index, match in enumerate(_LETTERS_RE.finditer(text)):
        word = match.group()
        folded = fold(word)
        if not word[0].isupper() or len(word) < 2 or folded in _ELISIONS:
            continue
        if index == 0 and sentence_start and folded in common_words():
            continue
        found.append(folded)
    return found


def _supported_name(folded: str, facts: SourceFacts, place: bool) -> bool:
    if folded in facts.words:
        return True
    # "Allemagne" from "allemand", "Lyonnais" from "Lyon": a place may be named by the source's
    # adjective or demonym; accepted when the two share all but the last few letters.
    if not place or len(folded) < 4 or folded[:4] not in facts.word_prefixes:
        return False
    return any(
        _common_prefix(folded, w) >= max(4, min(len(folded), len(w)) - 3)
        for w in facts.words
        if w.startswith(folded[:4])
    )


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


# Common nouns that French capitalises by convention: "l'État" is the government, as
# "the state" of an English source is; no particular name for the source to support.
_GENERIC_CAPITALISED = frozenset({"etat", "etats"})


def _unsupported_names(text: str, facts: SourceFacts) -> Iterator[str]:
    suspicious = [
        s
        for s in sentences(text)
        if any(w not in facts.words for w in _capitalised_words(s, sentence_start=True))
    ]
    for sentence, doc in zip(suspicious, _nlp().pipe(suspicious), strict=True):
        for ent in doc.ents:
            kind = _ENTITY_KINDS.get(ent.label_)
            if kind is None:
                continue
            at_start = not sentence[: ent.start_char].strip(" «“\"'(—–-")
            names = _capitalised_words(ent.text, sentence_start=at_start)
            missing = [
                n
                for n in names
                if n not in _GENERIC_CAPITALISED
                and not _supported_name(n, facts, place=kind == "lieu")
            ]
            if missing:
                yield f"{kind} {ent.text.strip()}"
