"""The XML-RPC transport: /xmlrpc.php through the standard library's xmlrpc.client.

(python-wordpress-xmlrpc is unmaintained and breaks on Python >= 3.10.) Over
XML-RPC, ``custom_fields`` given as key/value only ever ADD a row: to update a
field the row's id from wp.getPost must be sent with it, which update_post does.
"""

from __future__ import annotations

import http.client
import xmlrpc.client
from datetime import UTC
from typing import Any
from xml.parsers.expat import ExpatError

from bot.config.wordpress import WordPressSettings
from bot.errors import PublishLater
from bot.net.retry import parse_retry_after
from bot.publish.wordpress.doctor import XMLRPC_BLOCKED_FIX
from bot.publish.wordpress.transport import (
    STORY_KEY,
    ChangedPost,
    DeletedPost,
    MediaFile,
    PostFields,
    RemotePost,
    StoryAlreadyPosted,
    Term,
    changed_post,
    credentials_refused,
    deleted_post,
    not_allowed,
    rejected,
    unreachable,
)

_METHOD_MISSING = -32601
_BAD_LOGIN = 403  # WordPress: "Incorrect username or password."
_NOT_ALLOWED = 401
_NOT_FOUND = 404
_STORY_POSTED = 409  # the mu-plugin: this story already has its post


def _timed_transport(https: bool, timeout: float) -> xmlrpc.client.Transport:
    base = xmlrpc.client.SafeTransport if https else xmlrpc.client.Transport

    class Timed(base):  # type: ignore[misc, valid-type]
        user_agent = "Depeche (WordPress publisher)"

        def make_connection(self, host):  # type: ignore[no-untyped-def]
            connection = super().make_connection(host)
            connection.timeout = timeout  # read by connect(): no call hangs forever
            return connection

    return Timed(use_builtin_types=True)


class XmlRpcTransport:
    def __init__(self, settings: WordPressSettings, password: str):
        self._settings = settings
        self._login = (0, settings.user, password)
        self._proxy = xmlrpc.client.ServerProxy(
            settings.site + "/xmlrpc.php",
            transport=_timed_transport(settings.site.startswith("https:"), settings.timeout),
            allow_none=True,
            use_builtin_types=True,
        )

    def close(self) -> None:
        self._proxy("close")()

    def plugin_info(self) -> dict[str, Any] | None:
        return self._call("depeche.info", "ask the mu-plugin", absent_ok=True)

    def profile(self) -> dict[str, Any]:
        me = self._call("wp.getProfile", "read its profile")
        return {"user": me.get("username", ""), "roles": me.get("roles", [])}

    def find_post(self, story_uid: str) -> int | None:
        found = self._call("depeche.findPost", "look up the story's post", story_uid)
        return int(found) if found else None

    def get_post(self, post_id: int) -> RemotePost | None:
        post = self._call("wp.getPost", "read the post back", post_id, absent_ok=True)
        if post is None:
            return None
        terms = post.get("terms") or []
        thumbnail = post.get("post_thumbnail") or {}
        return RemotePost(
            id=int(post["post_id"]),
            status=post["post_status"],
            link=post.get("link", ""),
            title=post["post_title"],
            content=post["post_content"],
            meta={field["key"]: field["value"] for field in reversed(post["custom_fields"])},
            category_ids=[int(t["term_id"]) for t in terms if t["taxonomy"] == "category"],
            tag_ids=[int(t["term_id"]) for t in terms if t["taxonomy"] == "post_tag"],
            featured_media=int(thumbnail.get("attachment_id") or 0),
        )

    def create_post(self, fields: PostFields) -> int:
        struct = _post_struct(fields, [{"key": k, "value": v} for k, v in fields.meta.items()])
        try:
            refused = (_STORY_POSTED,)
            return int(self._call("wp.newPost", "create a post", struct, raise_faults=refused))
        except xmlrpc.client.Fault:  # the mu-plugin's refusal: the story has its post
            post_id = self.find_post(fields.meta[STORY_KEY])
            if post_id is None:
                raise PublishLater("the site refused a second post, then found none") from None
            raise StoryAlreadyPosted(post_id) from None

    def update_post(self, post_id: int, fields: PostFields) -> None:
        current = self._call("wp.getPost", "read its post", post_id, ["custom_fields"])
        struct = _post_struct(fields, _custom_field_updates(current["custom_fields"], fields.meta))
        self._call("wp.editPost", "edit its post", post_id, struct)

    def update_meta(self, post_id: int, meta: dict[str, str]) -> None:
        current = self._call("wp.getPost", "read its post", post_id, ["custom_fields"])
        rows = _custom_field_updates(current["custom_fields"], meta)
        self._call("wp.editPost", "edit its post", post_id, {"custom_fields": rows})

    def add_note(self, post_id: int, line: str, *, clear_request: bool = False) -> None:
        self._call("depeche.addNote", "add a note to its post", post_id, line, clear_request)

    def delete_post(self, post_id: int) -> None:
        # wp.deletePost moves a post to the trash; a second call deletes it for good.
        self._call("wp.deletePost", "delete a post", post_id)
        self._call("wp.deletePost", "delete a post", post_id, absent_ok=True)

    def search_terms(self, taxonomy: str, name: str) -> list[Term]:
        found = self._call(
            "wp.getTerms",
            f"search the {taxonomy} {name!r}",
            taxonomy,
            {"search": name, "hide_empty": False, "number": 100},
        )
        return [Term(int(t["term_id"]), t["name"]) for t in found]

    def create_term(self, taxonomy: str, name: str) -> int:
        kind = "category" if taxonomy == "category" else "tag"
        try:
            return int(
                self._call(
                    "wp.newTerm",
                    f"create the {kind} {name!r}",
                    {"name": name, "taxonomy": taxonomy},
                    raise_faults=(500,),
                )
            )
        except xmlrpc.client.Fault:
            # term_exists over XML-RPC is a bare fault 500 without the id: look it up.
            for term in self.search_terms(taxonomy, name):
                if term.name.casefold() == name.casefold():
                    return term.id
            raise rejected(self._settings, f"create the {kind} {name!r}", "fault 500") from None

    def find_media(self, source_url: str) -> int | None:
        found = self._call("depeche.findMedia", "look up an image already uploaded", source_url)
        return int(found) if found else None

    def upload_media(self, image: MediaFile) -> int:
        bits = xmlrpc.client.Binary(image.content)
        file = {"name": image.filename, "type": image.mime, "bits": bits}
        uploaded = self._call("wp.uploadFile", "upload an image", file)
        media_id = int(uploaded.get("attachment_id") or uploaded["id"])
        self._call(
            "depeche.describeMedia",
            "describe an image",
            media_id,
            image.alt,
            image.caption,
            image.source_url,
        )
        return media_id

    def media_url(self, media_id: int) -> str:
        return str(self._call("wp.getMediaItem", "read an image", media_id)["link"])

    def changed_posts(self, modified_after: str) -> list[ChangedPost]:
        # The mu-plugin's method: wp.getPosts hides the posts the user may no longer edit
        # (a depeche_bot user's published posts) and knows no modified_after.
        posts: list[ChangedPost] = []
        for offset in range(0, 100_000, 100):
            found = self._call(
                "depeche.changedPosts", "read the posts changed", modified_after, offset
            )
            posts += map(changed_post, found)
            if len(found) < 100:
                break
        return posts

    def deleted_posts(self, after: str) -> list[DeletedPost]:
        found = self._call("depeche.deletedPosts", "read the posts deleted", after,
                           absent_ok=True)
        return [deleted_post(entry) for entry in found or []]

    def _call(
        self,
        method: str,
        action: str,
        *args: Any,
        absent_ok: bool = False,
        raise_faults: tuple[int, ...] = (),
    ) -> Any:
        """The method's answer; None for a missing method or post when ``absent_ok``;
        faults in ``raise_faults`` raised as is; every other fault a PublishError."""
        settings = self._settings
        try:
            return getattr(self._proxy, method)(*self._login, *args)
        except xmlrpc.client.Fault as fault:
            if absent_ok and fault.faultCode in (_METHOD_MISSING, _NOT_FOUND):
                return None
            if fault.faultCode in raise_faults:
                raise
            raise self._fault(fault, action) from None
        except xmlrpc.client.ProtocolError as error:
            raise self._http_fault(error, action) from None
        except TimeoutError:
            raise unreachable(settings, f"no answer within {settings.timeout:g} s") from None
        except (OSError, http.client.HTTPException, ExpatError) as error:
            raise unreachable(settings, f"{type(error).__name__}: {error}") from None

    def _fault(self, fault: xmlrpc.client.Fault, action: str) -> Exception:
        detail = f"XML-RPC fault {fault.faultCode}: {fault.faultString}"[:300]
        if fault.faultCode == _BAD_LOGIN:
            return credentials_refused(self._settings, detail)
        if fault.faultCode == _NOT_ALLOWED:
            return not_allowed(self._settings, action, detail)
        if fault.faultCode == 405:  # "XML-RPC services are disabled on this site."
            return rejected(
                self._settings, action, f"{detail}: {XMLRPC_BLOCKED_FIX}", stop_site=True
            )
        return rejected(self._settings, action, detail)

    def _http_fault(self, error: xmlrpc.client.ProtocolError, action: str) -> Exception:
        settings = self._settings
        detail = f"HTTP {error.errcode} {error.errmsg} from /xmlrpc.php"
        if error.errcode in (401, 403):
            return credentials_refused(settings, detail + " (a firewall may block XML-RPC)")
        if error.errcode == 429 or error.errcode >= 500:
            wait = parse_retry_after((error.headers or {}).get("Retry-After"))
            return unreachable(settings, detail, retry_after=wait)
        return rejected(settings, action, detail + ": is XML-RPC enabled there?", stop_site=True)


def _custom_field_updates(rows: list[dict[str, Any]], meta: dict[str, str]) -> list[dict[str, Any]]:
    """Rows to send so that each key holds exactly one row with the new value."""
    updates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        key = row["key"]
        if key not in meta:
            continue
        if key in seen:
            updates.append({"id": row["id"]})  # an id alone deletes a duplicate row
        else:
            updates.append({"id": row["id"], "key": key, "value": meta[key]})
            seen.add(key)
    updates.extend({"key": k, "value": v} for k, v in meta.items() if k not in seen)
    return updates


def _post_struct(fields: PostFields, custom_fields: list[dict[str, Any]]) -> dict[str, Any]:
    struct: dict[str, Any] = {
        "post_type": "post",
        "post_title": fields.title,
        "post_name": fields.slug,
        "post_excerpt": fields.excerpt,
        "post_content": fields.content,
        "post_status": fields.status,
        "terms": {"category": fields.category_ids, "post_tag": fields.tag_ids},
        "custom_fields": custom_fields,
    }
    if fields.featured_media is not None:
        struct["post_thumbnail"] = fields.featured_media
    if fields.author is not None:
        struct["post_author"] = fields.author
    if fields.date is not None:
        if fields.date.tzinfo is None:
            struct["post_date"] = fields.date
        else:
            struct["post_date_gmt"] = fields.date.astimezone(UTC).replace(tzinfo=None)
    return struct
