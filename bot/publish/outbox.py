"""The outbox publisher: one JSON file and one standalone HTML page per draft.

The embedded default: it needs no site, so a fresh clone produces drafts an
editor can open in a browser. A story's file name is decided once: claimed
atomically (a hard link that fails if the name exists, so two stories with one
slug never share a file, even written at the same instant by two workers), then
recorded in the outbox's index (.stories/<story uid>, also claimed by a link, so
two publishes of one story make one draft) and as the post id; a retry rewrites
the same files. Every write is atomic (temporary file + rename) and readable by
the group (0644).

A revision (bot.pipeline.revise) tells an untouched draft by its files' hash, kept in the
index beside the name (.stories/<story uid>.posted); a note for the editor of a draft
someone edited goes to <name>.notes.txt, one dated line each, leaving the draft alone.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bot.errors import PostTouched, PublishStopped
from bot.failpoints import failpoint
from bot.faults import EXIT_OUTBOX_UNWRITABLE, OperatorFault
from bot.sanitize import clean_html
from bot.seo.page import BODY_CLASS, META_FOCUS_KEYPHRASE, META_SLUG
from bot.seo.text import count_words, enumeration
from bot.story import PostLook, Receipt, Submission


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
        if submission.revise_only == "untouched":
            look = self.look(submission)
            if look is None or not look.untouched:
                raise PostTouched("the draft's files were edited since the bot wrote them")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            record = outbox_record(submission)
            stem = self._write_record(submission, json.dumps(record, ensure_ascii=False, indent=2))
            page = self.folder / f"{stem}.html"
            # The page's name follows its record's, which this story alone holds.
            _write_atomic(page, render_page(record))
            _write_atomic(self._posted(submission.story_uid), self._files_hash(stem))
        except PermissionError as error:
            raise OutboxUnwritable(self.folder, error) from None
        return Receipt(post_id=stem, url=page.resolve().as_uri())

    def look(self, submission: Submission) -> PostLook | None:
        stem = self._recorded_stem(submission)
        if stem is None:
            return None
        try:
            posted = self._posted(submission.story_uid).read_text(encoding="utf-8")
        except FileNotFoundError:
            posted = ""  # written before hashes were kept: taken as edited, never overwritten
        untouched = posted == self._files_hash(stem)
        return PostLook(post_id=stem, status="draft", editable=True, untouched=untouched)

    def note(self, submission: Submission, line: str, *, clear_request: bool = False) -> None:
        stem = self._recorded_stem(submission)
        if stem is None:
            return
        try:
            with (self.folder / f"{stem}.notes.txt").open("a", encoding="utf-8") as notes:
                notes.write(line.replace("\n", " ") + "\n")
        except PermissionError as error:
            raise OutboxUnwritable(self.folder, error) from None

    def _posted(self, story_uid: str) -> Path:
        return self.folder / ".stories" / f"{story_uid}.posted"

    def _files_hash(self, stem: str) -> str:
        digest = hashlib.sha256()
        for suffix in (".json", ".html"):
            try:
                digest.update((self.folder / f"{stem}{suffix}").read_bytes())
            except FileNotFoundError:
                digest.update(b"(missing)")
        return digest.hexdigest()

    def _write_record(self, submission: Submission, text: str) -> str:
        """Write the JSON record under this story's name; return the name's stem."""
        stem = self._recorded_stem(submission)
        if stem is None:
            return self._claim_stem(submission, text)
        _write_atomic(self.folder / f"{stem}.json", text)
        return stem

    def _index(self, story_uid: str) -> Path:
        return self.folder / ".stories" / story_uid

    def _recorded_stem(self, submission: Submission) -> str | None:
        """The name this story got at its first publish: from the outbox's own index,
        else the post id the database recorded (an outbox written before the index)."""
        try:
            return self._index(submission.story_uid).read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        recorded = submission.existing_post_id
        if recorded and _uid_of(self.folder / f"{recorded}.json") == submission.story_uid:
            return recorded
        return None

    def _claim_stem(self, submission: Submission, text: str) -> str:
        """A free name (the slug, else slug-2, slug-3...) taken with the record in it,
        then recorded in the index. Two publishes of one story at once (one outlived
        its lease) both find no index: the first to record its name wins, the other
        gives its name back and writes the winner's file."""
        failpoint("before-post")
        slug = submission.draft.slug or submission.story_uid
        temporary = _write_temporary(self.folder, ".json", text)
        try:
            stem = _link_free_name(temporary, self.folder, slug)
        finally:
            Path(temporary).unlink(missing_ok=True)
        index = self._index(submission.story_uid)
        index.parent.mkdir(exist_ok=True)
        if _link_new(_write_temporary(index.parent, "", stem), index):
            return stem
        (self.folder / f"{stem}.json").unlink()
        winner = index.read_text(encoding="utf-8")
        _write_atomic(self.folder / f"{winner}.json", text)
        return winner


def _link_new(temporary: str, path: Path) -> bool:
    """Give the temporary file the name `path` unless it exists; link() never replaces
    a file, so of two writers racing for one name exactly one gets it."""
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        Path(temporary).unlink(missing_ok=True)


def _link_free_name(temporary: str, folder: Path, slug: str) -> str:
    """Link `temporary` (kept) under the first free name of slug, slug-2...; its stem."""
    stem, number = slug, 1
    while True:
        try:
            os.link(temporary, folder / f"{stem}.json")
            return stem
        except FileExistsError:
            number += 1
            stem = f"{slug}-{number}"


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
        "category": submission.category,
        # The primary source, then every source (the primary first) with its name.
        "source_url": submission.primary.url,
        "source_title": submission.primary.title,
        "sources": [
            {"name": source.source_name, "title": source.title, "url": source.url}
            for source in submission.sources
        ],
        "language": draft.language,
        "word_count": count_words(content),
        "writer": draft.writer,
        "rewritten": draft.rewritten,
        "image_url": submission.image_url,
        "seo": draft.seo,
        "warnings": draft.warnings,
        "story_uid": submission.story_uid,
    }


def _write_temporary(folder: Path, suffix: str, text: str) -> str:
    """A fully written file under a temporary name, readable by the group: an editor's
    account or a web server reads the outbox (mkstemp alone would make it 0600)."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    try:
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _write_atomic(path: Path, text: str) -> None:
    os.replace(_write_temporary(path.parent, path.suffix, text), path)


def _sources_line(record: dict[str, Any]) -> str:
    """« Source : <a>titre</a> », or every source with its name: « Sources : <a>titre</a>
    (AFP), <a>titre</a> (Reuters) »."""
    e = html.escape
    sources = record["sources"]
    linked = [f'<a href="{e(s["url"])}">{e(s["title"])}</a>' for s in sources]
    if len(sources) == 1:
        return f"Source : {linked[0]}"
    named = [f"{link} ({e(s['name'])})" if s["name"] else link
             for link, s in zip(linked, sources, strict=True)]
    return f"Sources : {enumeration(named)}"


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
{_sources_line(record)}
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
