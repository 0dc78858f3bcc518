"""The outbox never loses nor overwrites a draft, however many workers write at once."""

from __future__ import annotations

import json
import stat
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.publish.outbox import OutboxPublisher
from bot.story import Draft, SourceArticle, Submission

SLUGS = ("greve-des-cheminots", "budget-de-la-ville", "festival-d-ete", "crue-de-la-loire")


def _submission(slug: str, number: int, existing_post_id: str | None = None) -> Submission:
    draft = Draft(
        title=f"Article numéro {number}",
        seo_title=f"Article numéro {number}",
        meta_description="Une brève écrite pour ce test, sans texte d'agence.",
        focus_keyphrase="article",
        slug=slug,
        excerpt="Une brève de test.",
        body_html=f"<p>Le conseil municipal s'est réuni pour la {number}e fois.</p>",
    )
    return Submission(
        story_uid=uuid.uuid4().hex,
        draft=draft,
        sources=(SourceArticle(f"Article numéro {number}", "", f"https://fil.example/{number}",
                               "Fil de test"),),
        category="Local",
        existing_post_id=existing_post_id,
    )


def test_four_workers_on_64_stories_sharing_slugs_keep_64_drafts(tmp_path: Path):
    outbox = OutboxPublisher(tmp_path / "outbox")
    submissions = [_submission(SLUGS[n % len(SLUGS)], n) for n in range(64)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        receipts = list(pool.map(outbox.publish, submissions))

    records = {p.stem: json.loads(p.read_text("utf-8")) for p in outbox.folder.glob("*.json")}
    assert len(records) == 64
    assert len(list(outbox.folder.glob("*.html"))) == 64
    assert not list(outbox.folder.glob(".tmp-*"))
    # Each story's receipt names the file that holds that story, and no other.
    assert {r.post_id for r in receipts} == set(records)
    for submission, receipt in zip(submissions, receipts, strict=True):
        assert records[receipt.post_id]["story_uid"] == submission.story_uid
        assert records[receipt.post_id]["source_url"] == submission.primary.url
    for path in [*outbox.folder.glob("*.json"), *outbox.folder.glob("*.html")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_story_keeps_its_file_and_a_second_one_with_its_slug_gets_its_own(tmp_path: Path):
    outbox = OutboxPublisher(tmp_path / "outbox")
    first = _submission("greve-des-cheminots", 1)
    assert outbox.publish(first).post_id == "greve-des-cheminots"
    second = _submission("greve-des-cheminots", 2)
    assert outbox.publish(second).post_id == "greve-des-cheminots-2"

    # A retry of the first story, recorded or not (a crash before the receipt was
    # committed), rewrites its own file and leaves the other story's alone.
    first.draft.title = "Article numéro 1, corrigé"
    assert outbox.publish(first).post_id == "greve-des-cheminots"
    first.existing_post_id = "greve-des-cheminots"
    assert outbox.publish(first).post_id == "greve-des-cheminots"
    records = {p.stem: json.loads(p.read_text("utf-8")) for p in outbox.folder.glob("*.json")}
    assert records["greve-des-cheminots"]["title"] == "Article numéro 1, corrigé"
    assert records["greve-des-cheminots-2"]["story_uid"] == second.story_uid
    assert len(records) == 2


def test_a_recorded_name_another_story_holds_is_not_overwritten(tmp_path: Path):
    """An editor renamed files by hand: the recorded name now holds another story."""
    outbox = OutboxPublisher(tmp_path / "outbox")
    other = _submission("budget-de-la-ville", 1)
    outbox.publish(other)
    moved = _submission("festival-d-ete", 2, existing_post_id="budget-de-la-ville")
    assert outbox.publish(moved).post_id == "festival-d-ete"
    kept = json.loads((outbox.folder / "budget-de-la-ville.json").read_text("utf-8"))
    assert kept["story_uid"] == other.story_uid


def test_one_story_published_twice_at_once_makes_one_draft(tmp_path: Path):
    """A publish that outlived its lease runs beside the worker that took the story
    over: both find no file yet, both write, and one draft remains."""
    outbox = OutboxPublisher(tmp_path / "outbox")
    stories = [_submission(SLUGS[n % len(SLUGS)], n) for n in range(32)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        receipts = list(pool.map(outbox.publish, [s for s in stories for _ in range(2)]))

    records = [json.loads(p.read_text("utf-8")) for p in outbox.folder.glob("*.json")]
    assert sorted(r["story_uid"] for r in records) == sorted(s.story_uid for s in stories)
    assert len(list(outbox.folder.glob("*.html"))) == 32
    assert not list(outbox.folder.glob(".tmp-*"))
    # Both publishes of a story name the same file.
    assert all(a.post_id == b.post_id for a, b in zip(receipts[::2], receipts[1::2], strict=True))
