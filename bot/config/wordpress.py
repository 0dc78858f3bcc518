"""The [wordpress] section of the configuration, checked before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.config.tables import parse_interval

APIS = ("rest", "xmlrpc")
SEO_PLUGINS = ("yoast", "rankmath", "none")
# "pending" puts every post in the review queue of WordPress (the newsroom default for review
# workflows); "draft" stays the default, as it always was.
STATUSES = ("draft", "pending", "future", "publish")
# When the mu-plugin adds the AI notice at publishing (EU AI Act, article 50(4)).
DISCLOSURES = ("never", "unreviewed", "always")
DEFAULT_DISCLOSURE_TEXT = (
    "Cet article a été rédigé avec l’aide d’une intelligence artificielle à partir de "
    "dépêches d’agence."
)

# The meta keys each SEO plugin reads, in the order title, description, keyphrase.
SEO_KEYS = {
    "yoast": ("_yoast_wpseo_title", "_yoast_wpseo_metadesc", "_yoast_wpseo_focuskw"),
    "rankmath": ("rank_math_title", "rank_math_description", "rank_math_focus_keyword"),
    "none": (),
}


@dataclass(frozen=True)
class WordPressSettings:
    url: str  # site root, e.g. http://127.0.0.1:8080
    user: str
    api: str = "rest"
    seo_plugin: str = "yoast"
    # "publish" only when the configuration says so explicitly: editors review drafts.
    status: str = "draft"
    publish_date: str | None = None  # ISO 8601, for "future"; without offset: site time
    author: int | None = None
    timeout: float = 30.0
    allow_private: bool = False  # featured images from a wire on a private network
    image_max_bytes: int = 10_000_000
    ai_disclosure: str = "unreviewed"
    sync_every: str = "5m"  # how often the daemon reads the editors' decisions back
    # Filled by the loader from the prompts folder (disclosure.md, the writer's prompts).
    disclosure_text: str = DEFAULT_DISCLOSURE_TEXT
    prompt_version: str = ""

    @property
    def site(self) -> str:
        return self.url.rstrip("/")

    @property
    def sync_seconds(self) -> int:
        return parse_interval(self.sync_every, "wordpress.sync_every")

    @property
    def seo_keys(self) -> tuple[str, ...]:
        return SEO_KEYS.get(self.seo_plugin, ())

    def validate(self) -> list[str]:
        """Human messages naming each wrong [wordpress] key; [] when all is fine."""
        problems = [
            *_url_problems(self.url),
            *_choice_problem("api", self.api, APIS),
            *_choice_problem("seo_plugin", self.seo_plugin, SEO_PLUGINS),
            *_choice_problem("status", self.status, STATUSES),
            *_choice_problem("ai_disclosure", self.ai_disclosure, DISCLOSURES),
            *_date_problems(self.status, self.publish_date),
        ]
        if not self.user.strip():
            problems.append("[wordpress] user is empty: the WordPress login of the bot's account")
        if self.author is not None and self.author <= 0:
            problems.append(f"[wordpress] author = {self.author}: a WordPress user id (> 0)")
        if self.timeout <= 0:
            problems.append(f"[wordpress] timeout = {self.timeout}: seconds, more than 0")
        if self.image_max_bytes <= 0:
            problems.append(f"[wordpress] image_max_bytes = {self.image_max_bytes}: more than 0")
        return problems

    def parsed_publish_date(self) -> datetime | None:
        return datetime.fromisoformat(self.publish_date) if self.publish_date else None


def _url_problems(url: str) -> list[str]:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"[wordpress] url = {url!r}: the site's root, e.g. https://www.example.fr"]
    if parts.query or parts.fragment:
        return [f"[wordpress] url = {url!r}: the site's root, without ?query or #fragment"]
    return []


def _choice_problem(key: str, value: str, choices: tuple[str, ...]) -> list[str]:
    if value in choices:
        return []
    return [f"[wordpress] {key} = {value!r}: must be one of " + ", ".join(map(repr, choices))]


def _date_problems(status: str, publish_date: str | None) -> list[str]:
    if publish_date is None:
        if status == "future":
            return ['[wordpress] status = "future" needs publish_date (ISO 8601 date and time)']
        return []
    if status != "future":
        return [f'[wordpress] publish_date is only used with status = "future", not {status!r}']
    try:
        datetime.fromisoformat(publish_date)
    except ValueError:
        return [f"[wordpress] publish_date = {publish_date!r}: not an ISO 8601 date and time"]
    return []
