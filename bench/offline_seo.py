"""The offline writer's Yoast SEO score, per source and median, before and after.

    python3 bench/offline_seo.py [BASELINE_REF]

Sources: the sample wire (config/sample/feed.xml) and the French test sources
(tests/quality/data/source_grenoble.json, tests/writer/data/offline/*.json). "after" is
this tree's writer; "before" is the writer of BASELINE_REF (default: the commit before
issue 14's offline-writer work), extracted with `git archive` into a temporary folder and
run in a child process on the same sources. The target (issue 14): a median of 70 or
more on sources of 400 words or more.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "b5b4918"  # main when issue 14's work began
LONG = 400  # words: the sources the target is about


def sources() -> list[dict]:
    """Every source as the writer gets it: title, text, and the feed's own categories."""
    from bot.feeds import poll

    found = [
        {
            "name": f"sample: {item.title[:36]}",
            "title": item.title,
            "text": item.text,
            "url": item.url,
        }
        for item in poll(str(ROOT / "config" / "sample" / "feed.xml")).items
    ]
    files = [ROOT / "tests/quality/data/source_grenoble.json"]
    files += sorted((ROOT / "tests/writer/data/offline").glob("*.json"))
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append({"name": path.stem, **data})
    return found


def scores(found: list[dict]) -> list[int]:
    """The offline writer's draft for each source, scored as `run` scores it."""
    import inspect

    import bot
    from bot.quality import QualitySettings
    from bot.story import SourceArticle
    from bot.writer import Writer
    from bot.writer.prompt import Prompts

    # The prompts shipped beside the code measured (this tree's, or the baseline's).
    prompts = Prompts.load(Path(bot.__file__).resolve().parents[1] / "config" / "prompts")
    writer = Writer(model=None, prompts=prompts, quality=QualitySettings())
    knows_categories = "categories" in inspect.signature(SourceArticle).parameters
    result = []
    for source in found:
        extra = {"categories": source.get("categories", [])} if knows_categories else {}
        article = SourceArticle(
            title=source["title"], text=source["text"], url=source.get("url", ""), **extra
        )
        draft = writer.write([article], category="Actualités", record=lambda call: None).draft
        result.append(draft.seo["seo_score"])
    return result


def baseline(ref: str, found: list[dict]) -> list[int]:
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "bot", "config"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        child = subprocess.run(
            [sys.executable, __file__, "--child"],
            input=json.dumps(found),
            env={"PYTHONPATH": folder, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
    if child.returncode:
        # b5b4918's writer imports yake, no longer a dependency: README says to install it.
        last = child.stderr.strip().splitlines()[-1]
        raise SystemExit(f"the baseline writer ({ref}) did not run: {last}")
    return json.loads(child.stdout)


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        logging_off()
        print(json.dumps(scores(json.loads(sys.stdin.read()))))
        return
    logging_off()
    ref = sys.argv[1] if len(sys.argv) > 1 else BASELINE
    found = sources()
    before, after = baseline(ref, found), scores(found)
    print(f"{'source':<44} {'words':>5} {'before':>6} {'after':>6}")
    for source, old, new in zip(found, before, after, strict=True):
        print(f"{source['name']:<44} {len(source['text'].split()):>5} {old:>6} {new:>6}")
    for label, keep in (("all sources", lambda s: True), (f"{LONG}+ words", long_enough)):
        pairs = [(o, n) for s, o, n in zip(found, before, after, strict=True) if keep(s)]
        print(
            f"median, {label} ({len(pairs)}): before {statistics.median(o for o, _ in pairs)}, "
            f"after {statistics.median(n for _, n in pairs)} (baseline {ref})"
        )


def long_enough(source: dict) -> bool:
    return len(source["text"].split()) >= LONG


def logging_off() -> None:
    import logging

    logging.disable(logging.WARNING)


if __name__ == "__main__":
    if "--child" not in sys.argv:  # this tree's bot; the child gets the baseline's
        sys.path.insert(0, str(ROOT))
    main()
