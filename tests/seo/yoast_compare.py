"""Run yoastseo (tests/yoast/analyze.mjs) and bot.seo on the corpus and compare the ratings."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bot.seo import analyze
from bot.seo.text import title_width_px

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "seo" / "data" / "corpus"
DRIVER_DIR = ROOT / "tests" / "yoast"
ANALYZER_FIELDS = ("body_html", "keyphrase", "title", "seo_title", "meta_description", "slug")


class YoastUnavailable(RuntimeError):
    """node or tests/yoast/node_modules is missing."""


def load_corpus() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(CORPUS.glob("*.json"))]


def run_yoast(articles: list[dict]) -> list[dict]:
    """One node process for the whole corpus."""
    node = shutil.which("node")
    if node is None:
        raise YoastUnavailable("node is not installed (needed to run yoastseo)")
    if not (DRIVER_DIR / "node_modules" / "yoastseo").is_dir():
        raise YoastUnavailable(
            "tests/yoast/node_modules is missing: run `npm ci --prefix tests/yoast`"
        )
    # Yoast gets the title width from the browser; Node cannot measure it, so we pass ours.
    payload = [dict(a, title_width=title_width_px(a["seo_title"])) for a in articles]
    done = subprocess.run(
        [node, str(DRIVER_DIR / "analyze.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def clamp(score: int) -> int:
    return max(0, min(100, score))


@dataclass
class Comparison:
    pairs: int = 0
    agreeing: int = 0
    disagreements: list[str] = field(default_factory=list)
    seo_gaps: list[tuple[str, int, int]] = field(default_factory=list)
    readability_gaps: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return 100 * self.agreeing / self.pairs if self.pairs else 0.0

    @property
    def max_seo_gap(self) -> int:
        return max((abs(a - b) for _, a, b in self.seo_gaps), default=0)

    @property
    def max_readability_gap(self) -> int:
        return max((abs(a - b) for _, a, b in self.readability_gaps), default=0)

    def summary(self) -> str:
        lines = [
            f"rating agreement: {self.agreeing}/{self.pairs} = {self.agreement:.1f} %",
            f"max SEO score gap: {self.max_seo_gap}",
            f"max readability score gap: {self.max_readability_gap}",
            f"disagreements ({len(self.disagreements)}):",
            *(f"  {d}" for d in self.disagreements),
        ]
        return "\n".join(lines)


def compare(articles: list[dict], yoast_results: list[dict]) -> Comparison:
    result = Comparison()
    for article, yoast in zip(articles, yoast_results, strict=True):
        name = article.get("name", "?")
        ours = analyze(**{k: article[k] for k in ANALYZER_FIELDS}, site_url=article.get("site_url"))
        mine = {a.id: a for a in (*ours.seo, *ours.readability)}
        for group in ("seo", "readability"):
            for aid, theirs in yoast[group].items():
                result.pairs += 1
                own = mine.get(aid)
                if own is not None and own.rating == theirs["rating"]:
                    result.agreeing += 1
                else:
                    got = f"{own.rating}({own.score})" if own else "missing"
                    result.disagreements.append(
                        f"{name} {aid}: yoast {theirs['rating']}({theirs['score']}) ours {got}"
                    )
        result.seo_gaps.append((name, clamp(yoast["seo_score"]), ours.seo_score))
        result.readability_gaps.append((name, yoast["readability_score"], ours.readability_score))
    return result


if __name__ == "__main__":
    corpus = load_corpus()
    comparison = compare(corpus, run_yoast(corpus))
    print(comparison.summary())
    for name, theirs, own in comparison.seo_gaps + comparison.readability_gaps:
        if abs(theirs - own) > 5:
            print(f"score gap {name}: yoast {theirs} ours {own}")
