"""The outbox publisher: one JSON file and one standalone HTML page per draft.

The embedded default: it needs no site, so a fresh clone produces drafts an
editor can open in a browser. Writing is atomic (temporary file + rename) and
keyed by the story's uid, so a retry rewrites the same files.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bot.errors import PublishStopped
from bot.faults import EXIT_OUTBOX_UNWRITABLE, OperatorFault
from bot.sanitize import clean_html
from bot.seo.page import BODY_CLASS, META_FOCUS_KEYPHRASE, META_SLUG
from bot.seo.text import count_words
from bot.story import Receipt, Submission


class OutboxUnwritable(PublishStopped, OperatorFault):
    """The folder cannot be written: no draft would land, so publishing stops."""

    exit_code = EXIT_OUTBOX_UNWRITABLE

    def __init__(self, folder: Path, error: OSError):
        super().__init__(
            f"outbox {folder} is not writable ({error.strerror or error}): fix its "
            "owner or rights, or set [publish] outbox_dir"
        )


class OutboxPublisher:
    def __init__(self, folder: Path):
        self.folder = folder

    def ensure_writable(self) -> None:
        """Said at start-up, before any story is taken: raises OutboxUnwritable."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.folder, prefix=".probe-"):
                pass
        except OSError as error:
            raise OutboxUnwritable(self.folder, error) from None

    def publish(self, submission: Submission) -> Receipt:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = self._stem(submission)
            record = outbox_record(submission)
            _write_atomic(
                self.folder / f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=2)
            )
            page = self.folder / f"{stem}.html"
            _write_atomic(page, render_page(record))
        except PermissionError as error:
            raise OutboxUnwritable(self.folder, error) from None
        return Receipt(post_id=stem, url=page.resolve().as_uri())

    def _stem(self, submission: Submission) -> str:
        """The slug, unless another story already took it; the same story keeps its file."""
        slug = submission.draft.slug or submission.story_uid
        candidate, number = slug, 1
        while (existing := self.folder / f"{candidate}.json").exists():
            if _uid_of(existing) == submission.story_uid:
                break
            number += 1
            candidate = f"{slug}-{number}"
        return candidate


def _uid_of(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("story_uid")
    except (OSError, ValueError):
        return None


def outbox_record(submission: Submission) -> dict[str, Any]:
    draft = submission.draft
    content = clean_html(draft.body_html)
    return {
        "title": draft.title,
        "seo_title": draft.seo_title,
        "meta_description": draft.meta_description,
        "focus_keyphrase": draft.focus_keyphrase,
        "slug": draft.slug,
        "excerpt": draft.excerpt,
        "body_html": content,
        "tags": draft.tags,
        "category": submission.category or draft.category,
        "source_url": submission.source_url,
        "source_title": submission.source_title,
        "language": draft.language,
        "word_count": count_words(content),
        "writer": draft.writer,
        "rewritten": draft.rewritten,
        "image_url": submission.image_url,
        "seo": draft.seo,
        "warnings": draft.warnings,
        "story_uid": submission.story_uid,
    }


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def render_page(record: dict[str, Any]) -> str:
    """A page an editor can open in a browser: what an SEO box would show, then the
    article. The SEO fields are <meta> tags too, and the article's text has its own
    element, so `depeche seo check` reads the page as it reads the JSON record."""
    e = html.escape
    warnings = "".join(f"<li>{e(w)}</li>" for w in record["warnings"])
    seo = record.get("seo") or {}
    image = f'<img src="{e(record["image_url"])}" alt="">' if record.get("image_url") else ""
    return f"""<!doctype html>
<html lang="{e(record["language"])}">
<head>
<meta charset="utf-8">
<title>{e(record["seo_title"])}</title>
<meta name="description" content="{e(record["meta_description"])}">
<meta name="{META_FOCUS_KEYPHRASE}" content="{e(record["focus_keyphrase"])}">
<meta name="{META_SLUG}" content="{e(record["slug"])}">
<style>
body {{ font: 18px/1.6 Georgia, serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }}
aside {{ font: 14px/1.4 system-ui, sans-serif; background: #f4f4f0; padding: 1rem; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
<aside>
<strong>Brouillon Dépêche</strong> · rédigé par {e(record["writer"])} ·
{record["word_count"]} mots ·
SEO {seo.get("seo_score", "–")}/100 · lisibilité {seo.get("readability_score", "–")}/100<br>
Titre SEO : {e(record["seo_title"])}<br>
Méta description : {e(record["meta_description"])}<br>
Expression clé : {e(record["focus_keyphrase"])} · slug : {e(record["slug"])}<br>
Source : <a href="{e(record["source_url"])}">{e(record["source_title"])}</a>
<ul>{warnings}</ul>
</aside>
<article>
<h1>{e(record["title"])}</h1>
<p><em>{e(record["excerpt"])}</em></p>
{image}
<div class="{BODY_CLASS}">
{record["body_html"]}
</div>
</article>
</body>
</html>
"""
