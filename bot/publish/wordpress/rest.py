"""The REST transport: /wp-json/wp/v2, an application password over HTTP Basic."""

from __future__ import annotations

import html
from datetime import UTC
from typing import Any

import httpx

from bot.config.wordpress import WordPressSettings
from bot.net.retry import parse_retry_after
from bot.publish.wordpress.transport import (
    CATEGORY,
    SOURCE_URL_KEY,
    STORY_KEY,
    STORY_POSTED,
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

_TERM_PATHS = {CATEGORY: "categories", "post_tag": "tags"}


class RestTransport:
    def __init__(self, settings: WordPressSettings, password: str):
        self._settings = settings
        self._client = httpx.Client(
            base_url=settings.site + "/wp-json",
            auth=(settings.user, password),
            timeout=settings.timeout,
            headers={"Accept": "application/json", "User-Agent": "Depeche (WordPress publisher)"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def plugin_info(self) -> dict[str, Any] | None:
        return self._call("GET", "/depeche/v1/info", "ask the mu-plugin", absent_ok=True)

    def profile(self) -> dict[str, Any]:
        me = self._call("GET", "/wp/v2/users/me", "read its profile", params={"context": "edit"})
        return {"user": me.get("username", ""), "roles": me.get("roles", [])}

    def find_post(self, story_uid: str) -> int | None:
        found = self._call(
            "GET",
            "/wp/v2/posts",
            "look up the story's post",
            params={STORY_KEY: story_uid, "context": "edit", "_fields": "id,meta"},
        )
        # Checked here too: a site without the mu-plugin ignores the parameter.
        ids = [p["id"] for p in found if (p.get("meta") or {}).get(STORY_KEY) == story_uid]
        return ids[0] if ids else None

    def changed_posts(self, modified_after: str) -> list[ChangedPost]:
        # The mu-plugin's route: /wp/v2/posts?context=edit leaves out the posts the user
        # may no longer edit (a depeche_bot user's published posts), and every post of
        # the site that is not the bot's comes along.
        posts: list[ChangedPost] = []
        for offset in range(0, 100_000, 100):
            found = self._call(
                "GET",
                "/depeche/v1/changed-posts",
                "read the posts changed",
                params={"after": modified_after, "offset": offset},
            )
            posts += map(changed_post, found)
            if len(found) < 100:
                break
        return posts

    def deleted_posts(self, after: str) -> list[DeletedPost]:
        found = self._call(
            "GET",
            "/depeche/v1/deleted",
            "read the posts deleted",
            params={"after": after},
            absent_ok=True,
        )
        return [deleted_post(entry) for entry in found or []]

    def get_post(self, post_id: int) -> RemotePost | None:
        post = self._call(
            "GET",
            f"/wp/v2/posts/{post_id}",
            "read the post back",
            params={"context": "edit"},
            absent_ok=True,
        )
        if post is None:
            return None
        return RemotePost(
            id=post["id"],
            status=post["status"],
            link=post.get("link", ""),
            title=post["title"]["raw"],
            content=post["content"]["raw"],
            meta={k: v for k, v in (post.get("meta") or {}).items() if isinstance(v, str)},
            category_ids=post.get("categories", []),
            tag_ids=post.get("tags", []),
            featured_media=post.get("featured_media") or 0,
        )

    def create_post(self, fields: PostFields) -> int:
        answer = self._call(
            "POST",
            "/wp/v2/posts",
            "create a post",
            json=_post_body(fields),
            accept_codes=(STORY_POSTED,),
        )
        if answer.get("code") == STORY_POSTED:
            raise StoryAlreadyPosted(int(answer["data"]["post_id"]))
        return answer["id"]

    def update_post(self, post_id: int, fields: PostFields) -> None:
        self._call("POST", f"/wp/v2/posts/{post_id}", "edit its post", json=_post_body(fields))

    def update_meta(self, post_id: int, meta: dict[str, str]) -> None:
        self._call("POST", f"/wp/v2/posts/{post_id}", "edit its post", json={"meta": meta})

    def add_note(self, post_id: int, line: str, *, clear_request: bool = False) -> None:
        self._call(
            "POST",
            f"/depeche/v1/posts/{post_id}/note",
            "add a note to its post",
            json={"line": line, "clear_request": clear_request},
        )

    def delete_post(self, post_id: int) -> None:
        self._call("DELETE", f"/wp/v2/posts/{post_id}", "delete a post", params={"force": "true"})

    def search_terms(self, taxonomy: str, name: str) -> list[Term]:
        found = self._call(
            "GET",
            f"/wp/v2/{_TERM_PATHS[taxonomy]}",
            f"search the {taxonomy} {name!r}",
            params={"search": name, "per_page": 100, "_fields": "id,name"},
        )
        return [Term(t["id"], html.unescape(t["name"])) for t in found]

    def create_term(self, taxonomy: str, name: str) -> int:
        answer = self._call(
            "POST",
            f"/wp/v2/{_TERM_PATHS[taxonomy]}",
            f"create the {'category' if taxonomy == CATEGORY else 'tag'} {name!r}",
            json={"name": name},
            accept_codes=("term_exists",),
        )
        if answer.get("code") == "term_exists":
            return int(answer["data"]["term_id"])
        return answer["id"]

    def find_media(self, source_url: str) -> int | None:
        found = self._call(
            "GET",
            "/wp/v2/media",
            "look up an image already uploaded",
            params={"depeche_source_url": source_url, "context": "edit", "_fields": "id,meta"},
        )
        # Checked here too: a site without the mu-plugin ignores the parameter.
        ids = [m["id"] for m in found if (m.get("meta") or {}).get(SOURCE_URL_KEY) == source_url]
        return ids[0] if ids else None

    def upload_media(self, image: MediaFile) -> int:
        media = self._call(
            "POST",
            "/wp/v2/media",
            "upload an image",
            content=image.content,
            headers={
                "Content-Type": image.mime,
                "Content-Disposition": f'attachment; filename="{image.filename}"',
            },
        )
        self._call(
            "POST",
            f"/wp/v2/media/{media['id']}",
            "describe an image",
            json={
                "alt_text": image.alt,
                "caption": image.caption,
                "meta": {SOURCE_URL_KEY: image.source_url},
            },
        )
        return media["id"]

    def media_url(self, media_id: int) -> str:
        media = self._call("GET", f"/wp/v2/media/{media_id}", "read an image",
                           params={"_fields": "source_url"})
        return str(media["source_url"])

    def _call(
        self,
        method: str,
        path: str,
        action: str,
        *,
        absent_ok: bool = False,
        accept_codes: tuple[str, ...] = (),
        **request: Any,
    ) -> Any:
        """The JSON answer; WordPress's error object for ``accept_codes``; None for an
        absent resource when ``absent_ok``. Everything else raises a PublishError."""
        settings = self._settings
        try:
            response = self._client.request(method, path, **request)
        except httpx.TimeoutException:
            raise unreachable(settings, f"no answer within {settings.timeout:g} s") from None
        except httpx.TransportError as error:
            raise unreachable(settings, f"{type(error).__name__}: {error}") from None
        if response.is_success:
            return response.json()
        error = _error_body(response)
        code = error.get("code", "")
        detail = f"HTTP {response.status_code} {code}: {error.get('message', '')}".strip()[:300]
        if code in accept_codes:
            return error
        if response.status_code == 404 and absent_ok:
            return None
        raise self._fault(response, action, detail)

    def _fault(self, response: httpx.Response, action: str, detail: str) -> Exception:
        settings = self._settings
        status = response.status_code
        if status == 401:
            return credentials_refused(settings, detail)
        if status == 403:
            return not_allowed(settings, action, detail)
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("retry-after"))
            return unreachable(settings, detail, retry_after=wait)
        if response.is_redirect:
            location = response.headers.get("location", "")
            hint = (
                f"redirected to {location}: set [wordpress] url to the site's final address "
                "(https?) and make sure pretty permalinks are on"
            )
            return rejected(settings, action, f"{detail} {hint}", stop_site=True)
        if status == 404 and "rest_no_route" in detail and "/wp/v2/" in str(response.url):
            no_api = f"{detail}: no WordPress REST API there"
            return rejected(settings, action, no_api, stop_site=True)
        return rejected(settings, action, detail)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _post_body(fields: PostFields) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": fields.title,
        "slug": fields.slug,
        "excerpt": fields.excerpt,
        "content": fields.content,
        "status": fields.status,
        "meta": fields.meta,
        "categories": fields.category_ids,
        "tags": fields.tag_ids,
    }
    if fields.featured_media is not None:
        body["featured_media"] = fields.featured_media
    if fields.author is not None:
        body["author"] = fields.author
    if fields.date is not None:
        if fields.date.tzinfo is None:
            body["date"] = fields.date.isoformat(timespec="seconds")
        else:
            utc = fields.date.astimezone(UTC).replace(tzinfo=None)
            body["date_gmt"] = utc.isoformat(timespec="seconds")
    return body
