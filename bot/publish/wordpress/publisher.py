"""The WordPress publisher: one story in, one draft out, never twice.

Each attempt is idempotent: it first looks the story up by its id (stored on
the post as ``depeche_story_id``), so a retry after a timeout, a crash between
WordPress accepting the post and the database recording it, or a second bot
instance edits the post instead of creating another one. After every write the
post is read back and each field the bot depends on is checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TypeVar

from bot.breaker import Breaker
from bot.config.wordpress import WordPressSettings
from bot.errors import PostTouched, PublishLater, PublishRefused, PublishStopped
from bot.failpoints import failpoint
from bot.net.limits import Limits
from bot.net.retry import RetryPolicy, call_with_retries
from bot.publish.wordpress import content
from bot.publish.wordpress.content import BodyImage
from bot.publish.wordpress.images import caption, featured_image
from bot.publish.wordpress.related import RelatedPosts
from bot.publish.wordpress.rest import RestTransport
from bot.publish.wordpress.transport import (
    CATEGORY,
    DISCLOSURE_KEY,
    DISCLOSURE_TEXT_KEY,
    HASH_KEY,
    INSTALL_HINT,
    NOTE_KEY,
    PROVENANCE_KEY,
    STORY_KEY,
    TAG,
    PostFields,
    RemotePost,
    StoryAlreadyPosted,
    Transport,
    outdated_message,
    plugin_missing,
    plugin_outdated,
)
from bot.publish.wordpress.xmlrpc import XmlRpcTransport
from bot.story import PostLook, Receipt, Submission

log = logging.getLogger(__name__)

T = TypeVar("T")

# Statuses in which the post is still the bot's draft; past them an editor owns it.
_BOT_OWNED = ("draft", "pending", "auto-draft")


def open_transport(settings: WordPressSettings, password: str, api: str | None = None) -> Transport:
    transport = RestTransport if (api or settings.api) == "rest" else XmlRpcTransport
    return transport(settings, password)


class WordPressPublisher:
    def __init__(
        self,
        settings: WordPressSettings,
        password: str,
        *,
        limits: Limits | None = None,
        retry: RetryPolicy | None = None,
        internal_links: int = 0,
        breaker: Breaker | None = None,
    ):
        """`limits`: what downloading a featured image may cost ([fetch]'s, not the site's
        timeout); the defaults, which reach no private address, when not given.
        `breaker`: the site's, kept by the runner (bot.pipeline.runner): once it is open,
        a call is its probe, tried once and not told here (the breaker says the outage);
        a Retry-After opens it at once, for that long."""
        self._settings = settings
        self._limits = limits or Limits()
        self._password = password
        self._retry = retry or RetryPolicy(attempts=4, base=1.0, cap=30.0)
        self.breaker = breaker or Breaker("publishing target (wordpress)")
        self._plugin_seen = False
        self._related = RelatedPosts(settings, password, internal_links)
        self._may_create_terms = True

    def publish(self, submission: Submission) -> Receipt:
        return self._retrying(submission, self._publish_once)

    def look(self, submission: Submission) -> PostLook | None:
        post = self._retrying(submission, self._existing_post)
        return None if post is None else _look(post)

    def note(self, submission: Submission, line: str, *, clear_request: bool = False) -> None:
        def add(transport: Transport, submission: Submission) -> None:
            post = self._existing_post(transport, submission)
            if post is not None:
                transport.add_note(post.id, line, clear_request=clear_request)

        self._retrying(submission, add)

    def _retrying(
        self, submission: Submission, work: Callable[[Transport, Submission], T]
    ) -> T:
        """`work` on a fresh transport to the site, once the mu-plugin is known to be
        there; retried while the site is down."""

        def once() -> T:
            transport = open_transport(self._settings, self._password)
            try:
                self._require_plugin(transport)
                return work(transport, submission)
            finally:
                transport.close()

        return call_with_retries(
            once,
            policy=self._retry,
            # Once the site's breaker opened, the call is its probe, not a retry here. A
            # site that says how long to wait (Retry-After) is not retried here either: the
            # breaker opens for that long, and every publisher waits it, not this one alone.
            is_retryable=lambda error: isinstance(error, PublishLater)
            and error.retry_after is None
            and not self.breaker.is_open,
            on_failure=lambda attempt, error, wait: _log_failure(
                submission, attempt, error, wait, probe=self.breaker.is_open
            ),
        )

    def _publish_once(self, transport: Transport, submission: Submission) -> Receipt:
        existing = self._existing_post(transport, submission)
        try:
            return self._publish_to(transport, submission, existing)
        except StoryAlreadyPosted as posted:
            # Another worker created the post since we looked: edit it, never a second.
            log.warning("wordpress: story %s: %s", submission.story_uid, posted)
            existing = transport.get_post(posted.post_id)
            if existing is None:
                raise PublishLater(f"post {posted.post_id} vanished while we wrote") from None
            return self._publish_to(transport, submission, existing)

    def _publish_to(
        self, transport: Transport, submission: Submission, existing: RemotePost | None
    ) -> Receipt:
        if submission.revise_only:
            _still_revisable(existing, submission.revise_only)
        if existing is not None and existing.status not in _BOT_OWNED:
            return _left_alone(existing)
        return self._write(transport, submission, existing)

    def _require_plugin(self, transport: Transport) -> None:
        if self._plugin_seen:
            return
        info = transport.plugin_info()
        if info is not None:
            self._may_create_terms = bool(info.get("capabilities", {}).get("manage_categories"))
        if info is None:
            raise plugin_missing(self._settings, [STORY_KEY, NOTE_KEY, *self._settings.seo_keys])
        if plugin_outdated(info):
            raise PublishStopped(
                f"{outdated_message(self._settings, info)} Publishing to this site is stopped."
            )
        self._plugin_seen = True

    def _existing_post(self, transport: Transport, submission: Submission) -> RemotePost | None:
        post_id = transport.find_post(submission.story_uid)
        if post_id is None and submission.existing_post_id:
            post_id = int(submission.existing_post_id)
        return transport.get_post(post_id) if post_id is not None else None

    def _write(
        self, transport: Transport, submission: Submission, existing: RemotePost | None
    ) -> Receipt:
        warnings: list[str] = []
        media_id = None
        if submission.image_url and not (existing and existing.featured_media):
            media_id = featured_image(transport, self._limits, submission, warnings)
        image = _body_image(transport, submission,
                            media_id or (existing.featured_media if existing else None), warnings)
        related = self._related.find(submission.draft.focus_keyphrase, submission.draft.tags,
                                     exclude=existing.id if existing else None)
        fields = self._fields(transport, submission, media_id, warnings,
                              content.body_blocks(submission, image=image, related=related))
        if existing is None:
            failpoint("before-post")
            post_id = transport.create_post(fields)
            log.info("wordpress: story %s → new post %s", submission.story_uid, post_id)
        else:
            post_id = existing.id
            fields.status = existing.status  # an editor may have moved it to pending
            transport.update_post(post_id, fields)
            log.info("wordpress: story %s → edited post %s", submission.story_uid, post_id)
        post = transport.get_post(post_id)
        if post is None:
            raise PublishLater(f"post {post_id} vanished right after it was written")
        self._verify(post, fields, warnings)
        _record_posted_content(transport, post)
        return Receipt(post_id=str(post_id), url=post.link, warnings=warnings)

    def _fields(
        self,
        transport: Transport,
        submission: Submission,
        media_id: int | None,
        warnings: list[str],
        body: str,
    ) -> PostFields:
        draft = submission.draft
        settings = self._settings
        category = submission.category
        # Terms first: a term the user may not create becomes a line of the editor note.
        category_ids = self._term_ids(transport, CATEGORY, [category] if category else [], warnings)
        tag_ids = self._term_ids(transport, TAG, _unique(draft.tags), warnings)
        meta = {
            STORY_KEY: submission.story_uid,
            NOTE_KEY: content.editor_note(submission, warnings),
            PROVENANCE_KEY: provenance(submission, settings, warnings),
            DISCLOSURE_KEY: settings.ai_disclosure,
            DISCLOSURE_TEXT_KEY: settings.disclosure_text,
        }
        seo_values = (draft.seo_title, draft.meta_description, draft.focus_keyphrase)
        if settings.seo_keys:  # none when seo_plugin = "none"
            meta.update(zip(settings.seo_keys, seo_values, strict=True))
        return PostFields(
            title=draft.title,
            slug=draft.slug,
            excerpt=draft.excerpt,
            content=body,
            status=settings.status,
            meta=meta,
            category_ids=category_ids,
            tag_ids=tag_ids,
            featured_media=media_id,
            author=settings.author,
            date=settings.parsed_publish_date(),
        )

    def _term_ids(
        self, transport: Transport, taxonomy: str, names: list[str], warnings: list[str]
    ) -> list[int]:
        ids = []
        kind = "catégorie" if taxonomy == CATEGORY else "étiquette"
        for name in names:
            found = content.term_id(transport, taxonomy, name, create=self._may_create_terms)
            if found is None:
                warnings.append(f"{kind} « {name} » absente du site : à créer par un éditeur")
            else:
                ids.append(found)
        return ids

    def _verify(self, post: RemotePost, fields: PostFields, warnings: list[str]) -> None:
        lost = [
            f"{key} (sent {sent!r}, read back {post.meta.get(key, '')!r})"
            for key, sent in fields.meta.items()
            if _same_text(post.meta.get(key, "")) != _same_text(sent)
        ]
        if lost:
            raise PublishStopped(
                f"WordPress at {self._settings.site} did not keep {'; '.join(lost)} on post "
                f"{post.id}. Fix: {INSTALL_HINT}; if an SEO plugin registers the field itself, "
                "make sure it does so for posts over the "
                f"{'REST API' if self._settings.api == 'rest' else 'XML-RPC API'}. "
                "Publishing to this site is stopped."
            )
        if fields.featured_media and post.featured_media != fields.featured_media:
            warnings.append(f"l’image {fields.featured_media} n’a pas été mise à la une")


def _body_image(transport: Transport, submission: Submission, media_id: int | None,
                warnings: list[str]) -> BodyImage | None:
    """The featured image again in the body, where Yoast's image assessments look."""
    if not media_id:
        return None
    try:
        return BodyImage(media_id, transport.media_url(media_id), caption(submission))
    except (PublishLater, PublishRefused) as error:
        warnings.append(f"image {media_id} absente du corps : {error}")
        return None


def provenance(submission: Submission, settings: WordPressSettings, warnings: list[str]) -> str:
    """What wrote the post and from what, as JSON on the post (editorial responsibility)."""
    draft = submission.draft
    record = {
        "model": draft.writer,
        "rewritten": draft.rewritten,
        "prompt_version": settings.prompt_version,
        "bot_user": settings.user,
        "sources": [
            {"title": source.title, "url": source.url, "name": source.source_name}
            for source in submission.sources
        ],
        "gate_warnings": [*draft.warnings, *warnings],
    }
    # Compact and sorted, as the mu-plugin stores it back (it re-encodes what it keeps).
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def posted_hash(text: str) -> str:
    """The hash the mu-plugin compares at publishing to tell a person's edit (sha256, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_posted_content(transport: Transport, post: RemotePost) -> None:
    # Hashed as WordPress stored it (its filters may have changed what was sent), and
    # written last: the mu-plugin records a post the bot published itself on this write.
    digest = posted_hash(post.content)
    if post.meta.get(HASH_KEY) != digest:
        transport.update_meta(post.id, {HASH_KEY: digest})


def _look(post: RemotePost) -> PostLook:
    return PostLook(
        post_id=str(post.id),
        status=post.status,
        editable=post.status in _BOT_OWNED,
        untouched=post.meta.get(HASH_KEY) == posted_hash(post.content),
    )


def _still_revisable(post: RemotePost | None, only: str) -> None:
    """Checked on the post as read just before the update: an editor may have edited or
    published it while the story was rewritten."""
    if post is None:
        raise PostTouched("the post is gone")
    look = _look(post)
    if not look.editable:
        raise PostTouched(f"post {post.id} is now « {post.status} »: an editor took it over")
    if only == "untouched" and not look.untouched:
        raise PostTouched(f"post {post.id} was edited by a person since the bot posted it")


def _left_alone(post: RemotePost) -> Receipt:
    where = "à la corbeille" if post.status == "trash" else f"au statut « {post.status} »"
    note = f"article {post.id} laissé tel quel : il est {where} (un éditeur l’a pris en main)"
    return Receipt(post_id=str(post.id), url=post.link, warnings=[note])


def _same_text(value: str) -> str:
    # WordPress's text sanitizers trim and collapse whitespace; that is no loss.
    return " ".join(value.split())


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name.strip():
            seen.setdefault(name.strip().casefold(), name.strip())
    return list(seen.values())


def _log_failure(
    submission: Submission, attempt: int, error: BaseException, wait: float | None, *, probe: bool
):
    if probe:  # a failed probe is counted by the breaker, which says the outage once
        log.debug("wordpress: story %s, probe failed: %s", submission.story_uid, error)
    elif wait is None:
        log.warning("wordpress: story %s not sent: %s", submission.story_uid, error)
    else:
        log.info(
            "wordpress: story %s, attempt %d failed (%s); retry in %.1f s",
            submission.story_uid,
            attempt,
            error,
            wait,
        )
