"""What the publisher needs from WordPress, whatever the API; and how faults are told.

Both transports (``rest.RestTransport``, ``xmlrpc.XmlRpcTransport``) implement
``Transport`` and raise only PublishErrors built by the factories below, already
sorted into PublishLater (site down, 5xx, timeouts), PublishRefused (this post)
and PublishStopped (credentials, rights, missing mu-plugin), with a message that
names the user and the URL and never the password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.config.wordpress import WordPressSettings
from bot.errors import PublishError, PublishLater, PublishRefused, PublishStopped

STORY_KEY = "depeche_story_id"
# The mu-plugin's refusal of a second post for one story (REST: HTTP 409 with this code;
# XML-RPC: fault 409).
STORY_POSTED = "depeche_story_exists"
NOTE_KEY = "_depeche_editor_note"
PROVENANCE_KEY = "_depeche_provenance"
DISCLOSURE_KEY = "_depeche_disclosure"
DISCLOSURE_TEXT_KEY = "_depeche_disclosure_text"
HASH_KEY = "_depeche_posted_hash"
PUBLISHED_BY_KEY = "_depeche_published_by"
PUBLISHED_AT_KEY = "_depeche_published_at"
REVIEWED_BY_KEY = "_depeche_reviewed_by"
REWRITE_KEY = "_depeche_rewrite_instruction"
REWRITE_ASKED_KEY = "_depeche_rewrite_requested"
# The box's notes: dated lines the bot adds (a revision, a correction, a rewrite refused).
BOX_NOTES_KEY = "_depeche_box_notes"
SOURCE_URL_KEY = "_depeche_source_url"  # on an attachment
# The mu-plugin version this code needs (depeche-mu-plugin.php, DEPECHE_PLUGIN_VERSION).
PLUGIN_VERSION = 4
ROLE = "depeche_bot"  # the least-rights role the mu-plugin adds
CATEGORY = "category"
TAG = "post_tag"
INSTALL_HINT = (
    "install the Dépêche mu-plugin: `depeche wp plugin > wp-content/mu-plugins/depeche.php` "
    "on the WordPress server"
)


class StoryAlreadyPosted(Exception):
    """The site already holds this story's post: another worker created it between this
    one's look and its create (a publish that outlived its lease)."""

    def __init__(self, post_id: int):
        super().__init__(f"the site already holds post {post_id} for this story")
        self.post_id = post_id


@dataclass
class PostFields:
    """Everything the bot writes on a post."""

    title: str
    slug: str
    excerpt: str
    content: str
    status: str
    meta: dict[str, str]
    category_ids: list[int] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)
    featured_media: int | None = None
    author: int | None = None
    date: datetime | None = None  # naive: site time; aware: converted to UTC


@dataclass
class RemotePost:
    """A post as read back from WordPress."""

    id: int
    status: str
    link: str
    title: str
    content: str
    meta: dict[str, str]
    category_ids: list[int]
    tag_ids: list[int]
    featured_media: int


@dataclass
class ChangedPost:
    """A post of the site as the decisions sync reads it back."""

    id: int
    status: str
    modified: str  # site time, ISO to the second: what the next look starts after
    modified_gmt: datetime  # aware, UTC: when the editor's change happened
    content: str
    meta: dict[str, str]


@dataclass
class DeletedPost:
    """A post of the bot deleted for good (not trashed), as the mu-plugin recorded it."""

    id: int
    story_uid: str
    deleted: str  # site time, ISO to the second, like ChangedPost.modified
    deleted_gmt: datetime  # aware, UTC


@dataclass
class MediaFile:
    """An image to upload, with what an editor and a later lookup need to know of it."""

    filename: str
    mime: str
    content: bytes
    alt: str
    caption: str
    source_url: str


@dataclass
class Term:
    id: int
    name: str


class Transport(Protocol):
    def plugin_info(self) -> dict[str, Any] | None:
        """The mu-plugin's answer (version, user, roles, capabilities), None when missing."""

    def find_post(self, story_uid: str) -> int | None:
        """The post carrying this story id, whatever its status (needs the mu-plugin)."""

    def get_post(self, post_id: int) -> RemotePost | None:
        """The post, or None when it no longer exists."""

    def create_post(self, fields: PostFields) -> int:
        """The new post's id; raises StoryAlreadyPosted when the site (its mu-plugin)
        holds a post for the story already."""

    def update_post(self, post_id: int, fields: PostFields) -> None: ...

    def update_meta(self, post_id: int, meta: dict[str, str]) -> None:
        """Set these meta keys only, leaving the post's other fields as they are."""

    def add_note(self, post_id: int, line: str, *, clear_request: bool = False) -> None:
        """Add a line to the Dépêche box's notes (the mu-plugin keeps the earlier ones);
        with `clear_request`, also clear the editor's rewrite request. Meta only: the
        post's content and modification date stay as they are."""

    def delete_post(self, post_id: int) -> None:
        """Delete for good, not to the trash."""

    def search_terms(self, taxonomy: str, name: str) -> list[Term]: ...

    def create_term(self, taxonomy: str, name: str) -> int:
        """The new term's id, or the existing one's when WordPress answers term_exists."""

    def find_media(self, source_url: str) -> int | None:
        """The attachment uploaded earlier from this source URL (needs the mu-plugin)."""

    def upload_media(self, image: MediaFile) -> int:
        """The attachment id of the uploaded file, with alt text, caption and source URL set."""

    def media_url(self, media_id: int) -> str:
        """The address of an attachment's file, for an image block in the body."""

    def changed_posts(self, modified_after: str) -> list[ChangedPost]:
        """The posts modified after this site time ('' for all), any status (trash
        included), oldest change first."""

    def deleted_posts(self, after: str) -> list[DeletedPost]:
        """The bot's posts deleted for good at or after this site time (needs the mu-plugin)."""

    def close(self) -> None: ...


def site_time(value: str) -> str:
    """A site time as the sync compares them: ISO, to the second, no zone."""
    return datetime.fromisoformat(value).replace(tzinfo=None).isoformat(timespec="seconds")


def gmt_time(value: str) -> datetime:
    """WordPress's *_gmt field (no zone given: it is UTC) as an aware datetime. A draft
    may hold WordPress's zero date there ('0000-00-00', read back as '-0001-11-30'):
    the change is then dated when the bot sees it."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


def changed_post(entry: dict[str, Any]) -> ChangedPost:
    """One post of the mu-plugin's changed posts (REST and XML-RPC alike)."""
    return ChangedPost(
        id=int(entry["id"]),
        status=str(entry["status"]),
        modified=site_time(str(entry["modified"])),
        modified_gmt=gmt_time(str(entry["modified_gmt"])),
        content=str(entry["content"]),
        meta={k: v for k, v in (entry.get("meta") or {}).items() if isinstance(v, str)},
    )


def deleted_post(entry: dict[str, Any]) -> DeletedPost:
    """One entry of the mu-plugin's record of deletions (REST and XML-RPC alike)."""
    return DeletedPost(
        id=int(entry["id"]),
        story_uid=str(entry["story"]),
        deleted=site_time(str(entry["deleted"])),
        deleted_gmt=gmt_time(str(entry["deleted_gmt"])),
    )


def credentials_refused(settings: WordPressSettings, detail: str) -> PublishError:
    """401, or a refused login: the password, the transport or the server is at fault."""
    causes = [
        "the application password is wrong or was revoked (DEPECHE_WP_APP_PASSWORD; "
        "create one in Users → Profile → Application Passwords)",
        "the user name is not the WordPress login",
    ]
    plain_http = settings.site.startswith("http://")
    http_cause = (
        "WordPress refuses application passwords over plain http:// unless the site's "
        "WP_ENVIRONMENT_TYPE is 'local': use the https:// URL"
    )
    causes.insert(0 if plain_http else len(causes), http_cause)
    return PublishStopped(
        f"WordPress at {settings.site} refused user {settings.user!r} ({detail}). "
        "Likely causes: " + "; ".join(causes) + ". Publishing to this site is stopped."
    )


def not_allowed(settings: WordPressSettings, action: str, detail: str) -> PublishError:
    """403: the user is known but its role lacks a right."""
    if action.startswith("create the category"):
        cause = (
            "an author cannot create categories, an editor can: give the user the editor "
            "role, or create the category in WordPress first"
        )
    else:
        cause = (
            "the user's role lacks this right; the bot needs an editor (edit_posts, "
            "upload_files, manage_categories)"
        )
    return PublishStopped(
        f"WordPress at {settings.site} does not let user {settings.user!r} {action} "
        f"({detail}): {cause}. Publishing to this site is stopped."
    )


def plugin_missing(settings: WordPressSettings, fields: list[str]) -> PublishError:
    return PublishStopped(
        f"the Dépêche mu-plugin is not installed on {settings.site}: without it WordPress "
        f"drops {', '.join(fields)} silently and the bot cannot find its earlier posts "
        f"(a story could land twice). Fix: {INSTALL_HINT}. Publishing to this site is stopped."
    )


def plugin_outdated(info: dict[str, Any]) -> bool:
    try:
        return int(str(info.get("version", "0"))) < PLUGIN_VERSION
    except ValueError:
        return True


def outdated_message(settings: WordPressSettings, info: dict[str, Any]) -> str:
    return (
        f"the Dépêche mu-plugin on {settings.site} is version {info.get('version')}, older than "
        f"this bot's ({PLUGIN_VERSION}): without the new version WordPress drops fields "
        "the bot writes (provenance, disclosure, the box's notes). "
        f"Fix: {INSTALL_HINT} (replace the old file)."
    )


def unreachable(
    settings: WordPressSettings, detail: str, retry_after: float | None = None
) -> PublishLater:
    return PublishLater(
        f"WordPress at {settings.site} did not answer as expected ({detail}); "
        "the story stays written and will be sent again",
        retry_after=retry_after,
    )


def rejected(
    settings: WordPressSettings, action: str, detail: str, *, stop_site: bool = False
) -> PublishError:
    """A request WordPress refused: retrying the same would not help.

    ``stop_site`` when no other story would fare better (no API there, a redirect)."""
    kind = PublishStopped if stop_site else PublishRefused
    return kind(f"WordPress at {settings.site} refused to {action}: {detail}")
