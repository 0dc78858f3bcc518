"""Time of the quality gate's check() per ~1,000-word French article, on one core.

    python bench/gate.py [runs]

The article is the Grenoble good draft of tests/quality/data, lengthened to ~1,000 words with
passages of its own source (so every fact stays supported), plus two invented facts so that the
names check has a sentence to send to spaCy. Models (spaCy, lingua) are loaded once before
timing; every per-text cache (bot.seo's parse, the source's facts) is cleared before each run,
so each run costs what a new story costs. Prints the median and p90 of check() per 1,000 words
beside its target (< 100 ms, README's benchmarks), the share of each part, and, as the baseline
measured in the same run, the naive names check: spaCy on every sentence (the gate sends it
only the sentences with a capitalised word the source lacks). Last, check() against the same
story told by three wires (tests/quality/articles.three_wires: the facts from their union),
beside check() against its one source.
"""

# ruff: noqa: E402  (the thread limits must be set before numpy is imported)
from __future__ import annotations

import os

# One core: BLAS and spaCy's thinc must not spread over the others.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.quality import QualitySettings, check, injection, rules
from bot.quality import facts as facts_module
from bot.seo import analyze
from bot.seo import text as seo_text
from bot.story import Draft, SourceArticle
from tests.quality.articles import three_wires

DATA = Path(__file__).resolve().parents[1] / "tests" / "quality" / "data"
TARGET_MS_PER_THOUSAND_WORDS = 100.0
FACTS = "facts (numbers, dates, quotes, names)"


def article() -> tuple[Draft, SourceArticle]:
    source = SourceArticle(**json.loads((DATA / "source_grenoble.json").read_text("utf-8")))
    draft = Draft(**json.loads((DATA / "draft_grenoble.json").read_text("utf-8")))
    extra = source.text.split("\n\n")[5:10]
    body = draft.body_html + "\n<h2>Le calendrier des travaux</h2>\n" + "\n".join(
        f"<p>{p}</p>" for p in extra
    )
    # Two facts the source lacks: the names check then has real work to do.
    body += "\n<p>Le préfet de l'Isère, Antoine Rivière, a salué un projet attendu.</p>"
    return dataclasses.replace(draft, body_html=body), source


def clear_caches() -> None:
    for cached in (seo_text.parse_body, seo_text.blocks, facts_module.source_facts,
                   injection.injected_sentences):
        cached.cache_clear()


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        clear_caches()
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main(runs: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    draft, source = article()
    settings = QualitySettings()
    words = seo_text.count_words(draft.body_html)
    result = check(draft, [source], settings)  # first load: spaCy, lingua, caches of word lists
    print(f"article: {words} words; gate: {'; '.join(result.reasons()) or 'passed'}")

    total = timed(runs, lambda: check(draft, [source], settings))
    parts = {
        "language (lingua, per block)": lambda: rules.language_rules(draft, settings),
        "structure, headline, SEO fields": lambda: (
            rules.structure_rules(draft, [source], settings),
            rules.headline_rules(draft, [source], settings),
            rules.seo_field_rules(draft, settings),
        ),
        FACTS: lambda: facts_module.unsupported_facts(
            draft, [source]),
        "prompt injection": lambda: injection.obeyed_words(
            facts_module.article_text(draft), source.text),
        "bot.seo analyze() report": lambda: analyze(
            body_html=draft.body_html, keyphrase=draft.focus_keyphrase, title=draft.title,
            seo_title=draft.seo_title, meta_description=draft.meta_description, slug=draft.slug),
    }
    per_thousand = statistics.median(total) * 1000 / words
    print(f"check() over {runs} runs: median {statistics.median(total):.1f} ms, "
          f"p90 {p90(total):.1f} ms (per {words} words; {per_thousand:.1f} ms per 1,000 words, "
          f"target < {TARGET_MS_PER_THOUSAND_WORDS:.0f} ms: "
          f"{'met' if per_thousand < TARGET_MS_PER_THOUSAND_WORDS else 'NOT MET'})")
    medians = {name: statistics.median(timed(runs, work)) for name, work in parts.items()}
    for name, median in medians.items():
        print(f"  {name:<40} median {median:6.1f} ms")
    every_sentence = seo_text.sentences(facts_module.article_text(draft))
    nlp = facts_module._nlp()
    worst = timed(max(3, runs // 10), lambda: list(nlp.pipe(every_sentence)))
    print(f"baseline, same run: the whole facts check {medians[FACTS]:.1f} ms, beside "
          f"{statistics.median(worst):.1f} ms for spaCy alone on every one of the "
          f"{len(every_sentence)} sentences (the naive names check; the gate sends spaCy only "
          "the sentences with a capitalised word the source lacks)")
    wires = three_wires()
    several = timed(runs, lambda: check(draft, wires, settings))
    print(f"against three wires telling the story: median {statistics.median(several):.1f} ms, "
          f"p90 {p90(several):.1f} ms, beside {statistics.median(total):.1f} ms against its "
          "one source (same run)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
