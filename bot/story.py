"""The story's shapes, shared by every stage: what the source told, what the writer
wrote, what a publisher receives and returns, and what each step did.

This module sits at the bottom of the import graph (it imports no stage), so
feeds, writer, quality, publish, pipeline and CLI all read the same types from
here without an import cycle. It imports no SQLAlchemy either: `depeche --help`
reads it.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass, field
from typing import Any


class State(enum.StrEnum):
    NEW = "new"
    WRITTEN = "written"
    PUBLISHED = "published"
    HELD = "held"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    # An editor trashed or deleted its WordPress post: never posted again.
    REJECTED = "rejected"

# The keys the model must answer with, in this order (issue: "exactly these keys").
DRAFT_KEYS = (
    "title",
    "seo_title",
    "meta_description",
    "focus_keyphrase",
    "slug",
    "excerpt",
    "body_html",
    "tags",
    "category",
)


@dataclass
class Draft:
    title: str
    seo_title: str
    meta_description: str
    focus_keyphrase: str
    slug: str
    excerpt: str
    body_html: str
    tags: list[str] = field(default_factory=list)
    category: str = ""
    # Who wrote it: the model name, or "offline" when the source was packaged as is.
    writer: str = "offline"
    rewritten: bool = True
    language: str = "fr"
    # Problems an editor should know about (flagged facts, a failed image...).
    warnings: list[str] = field(default_factory=list)
    # The Yoast-grade report of bot.seo, as a plain dict, once analysed.
    seo: dict[str, Any] | None = None
    # The gate's rules that failed as warnings on the published answer (`depeche status`).
    warning_rules: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class SourceArticle:
    """The story as the source told it: what the writer rewrites and the gate checks against."""

    title: str
    text: str  # plain text, paragraphs separated by blank lines
    url: str = ""
    source_name: str = ""  # the feed's or wire's name, for the credit
    language: str | None = None  # the feed's declared language, if any
    categories: tuple[str, ...] = ()  # the feed's own categories for this item


def plain_text_paragraphs(text: str) -> str:
    """A plain text file in SourceArticle's form (paragraphs between blank lines). With
    blank lines, they separate paragraphs and a paragraph's lines are joined (a text
    wrapped at 72 columns); without any, each line is a paragraph."""
    lines = text.strip().splitlines()
    if any(not line.strip() for line in lines):
        blocks = re.split(r"\n\s*\n", "\n".join(lines))
        paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in blocks]
    else:
        paragraphs = lines
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


@dataclass
class WriteOutcome:
    """What the writer made of one source: a draft, or the reasons none was accepted."""

    draft: Draft | None
    # Why no draft could be accepted (the story is then held), one line each.
    held_reasons: list[str] = field(default_factory=list)
    repairs: int = 0

    def summary(self) -> str:
        """One line for `run` and `rewrite`: the gate's verdict and the Yoast scores."""
        if self.draft is None:
            return "; ".join(self.held_reasons)
        seo = self.draft.seo or {}
        if not self.draft.rewritten:
            gate = "offline, not rewritten"
        else:
            gate = "gate passed" + (f" after {self.repairs} repair(s)" if self.repairs else "")
            if rules := self.draft.warning_rules:
                gate += f" with {len(rules)} warning(s): " + ", ".join(rules)
        scores = f"SEO {seo.get('seo_score', '?')}, lisibilité {seo.get('readability_score', '?')}"
        return f"{gate}; {scores}"


@dataclass
class Submission:
    """One story as a publisher receives it, built from the database."""

    # Stable identifier of the story, stored on the post so that a retry or a
    # second worker finds the post instead of creating another one.
    story_uid: str
    draft: Draft
    # Every source the story was written from, the primary first: each is credited with
    # its link (its text is not needed here, and may be empty).
    sources: tuple[SourceArticle, ...]
    category: str  # the feed's category when set, else the writer's (bot.pipeline.stages)
    image_url: str | None = None
    image_credit: str | None = None
    # The post id recorded by an earlier publish of this story, if any.
    existing_post_id: str | None = None
    # A revision (bot.pipeline.revise) updates the post only while it is the bot's draft
    # ("draft"), or only while no one edited it either ("untouched"); else PostTouched.
    revise_only: str = ""

    @property
    def primary(self) -> SourceArticle:
        """The first source: the one whose name credits the image when it has none."""
        return self.sources[0]


@dataclass
class PostLook:
    """A story's post as the target holds it, read just before a revision."""

    post_id: str
    status: str  # WordPress's (draft, pending, publish, future, private, trash); outbox: draft
    editable: bool  # still the bot's draft: an update does not reach readers
    untouched: bool  # its content is still what the bot posted last


@dataclass
class Receipt:
    post_id: str
    url: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class FeedOutcome:
    """What one poll of one feed did."""

    url: str
    new: int = 0
    duplicates: int = 0
    known: int = 0
    skipped: int = 0  # stored, turned away by a filter or max_age
    not_modified: bool = False
    error: str | None = None


@dataclass
class StoryOutcome:
    """What one stage did with one story."""

    story_id: int
    title: str
    stage: str  # write | publish
    state: str  # the state the story ended in
    detail: str = ""


@dataclass
class CycleReport:
    """What one cycle did, for the `run --once` table and the daemon's log."""

    feeds: list[FeedOutcome] = field(default_factory=list)
    stories: list[StoryOutcome] = field(default_factory=list)
    skipped_publishing: str | None = None
    skipped_writing: str | None = None
