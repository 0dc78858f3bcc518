"""Internal links: the site's own published posts on the same subject, « À lire aussi ».

Yoast wants a post to link to others of its site; the model cannot know them, WordPress
does. The REST API is asked for published posts only (`status=publish`: never a draft, not
even the bot's own) matching the keyphrase, then posts sharing a tag; the post being written
is excluded. Answers are cached for the run (a few minutes in a daemon), so a batch of stories
on one subject asks once. A failed search never blocks a draft: it publishes without links.
"""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass

import httpx

from bot.config.wordpress import WordPressSettings

log = logging.getLogger(__name__)

# A daemon keeps its publisher for days: a cached answer is asked again after this long.
CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class RelatedPost:
    id: int
    title: str
    link: str


class RelatedPosts:
    def __init__(self, settings: WordPressSettings, password: str, limit: int):
        self._settings = settings
        self._password = password
        self.limit = limit
        self._cache: dict[tuple[str, ...], tuple[float, list[RelatedPost]]] = {}

    def find(self, keyphrase: str, tags: list[str], exclude: int | None) -> list[RelatedPost]:
        """Up to `limit` published posts: those matching the keyphrase first, then those
        sharing a tag; never `exclude` (the post being written)."""
        if self.limit <= 0:
            return []
        key = (keyphrase.strip().casefold(), *sorted(t.strip().casefold() for t in tags))
        cached = self._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
            try:
                found = self._search(keyphrase, tags)
            except (httpx.HTTPError, ValueError) as error:
                log.warning("wordpress: no related posts for %r: %s", keyphrase, error)
                return []
            cached = self._cache[key] = (time.monotonic(), found)
        return [post for post in cached[1] if post.id != exclude][: self.limit]

    def _search(self, keyphrase: str, tags: list[str]) -> list[RelatedPost]:
        # One more than needed: the post itself may be among them once published.
        wanted = self.limit + 1
        fields = {"status": "publish", "per_page": wanted, "_fields": "id,link,title"}
        with httpx.Client(
            base_url=self._settings.site + "/wp-json/wp/v2",
            auth=(self._settings.user, self._password),
            timeout=self._settings.timeout,
            headers={"Accept": "application/json", "User-Agent": "Depeche (related posts)"},
        ) as client:
            posts = _posts(client, {**fields, "search": keyphrase}) if keyphrase.strip() else []
            tag_ids = [str(t["id"]) for name in tags if name.strip()
                       for t in _get(client, "/tags", {"search": name, "_fields": "id,name"})
                       if html.unescape(t["name"]).casefold() == name.strip().casefold()]
            if tag_ids and len(posts) < wanted:
                posts += _posts(client, {**fields, "tags": ",".join(tag_ids)})
        unique: dict[int, RelatedPost] = {}
        for post in posts:
            unique.setdefault(post.id, post)
        return list(unique.values())[:wanted]


def _get(client: httpx.Client, path: str, params: dict) -> list[dict]:
    response = client.get(path, params=params)
    response.raise_for_status()
    answer = response.json()
    if not isinstance(answer, list):
        raise ValueError(f"{path}: expected a list, got {type(answer).__name__}")
    return answer


def _posts(client: httpx.Client, params: dict) -> list[RelatedPost]:
    return [
        RelatedPost(int(p["id"]), html.unescape(p["title"]["rendered"]).strip(), p["link"])
        for p in _get(client, "/posts", params)
    ]
