"""The [wordpress] section: the site, the account, and how drafts land.

What the bot may download (featured images included) is [fetch]'s business: the
publisher receives those limits as a `Limits`, never this section's timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.config.tables import REQUIRED, parse_interval, setting
from bot.errors import ConfigError

APIS = ("rest", "xmlrpc")
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


def _site_root(url: Any, key: str) -> Any:
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{key}: {url!r} is not the site's root, e.g. https://www.example.fr")
    if parts.query or parts.fragment:
        raise ConfigError(f"{key}: {url!r}: the site's root, without ?query or #fragment")
    return url


def _interval(text: Any, key: str) -> Any:
    parse_interval(text, key)
    return text


def _login(user: Any, key: str) -> Any:
    if isinstance(user, str) and not user.strip():
        raise ConfigError(f"{key}: empty; the WordPress login of the bot's account")
    return user


@dataclass(frozen=True)
class WordPressSettings:
    url: str = setting(REQUIRED, "the site's root, e.g. https://www.example.fr", parse=_site_root)
    user: str = setting(REQUIRED, "the WordPress login of the bot's account", parse=_login)
    api: str = setting("rest", "how drafts are sent", choices=APIS)
    seo_plugin: str = setting("yoast", "whose SEO fields are filled", choices=tuple(SEO_KEYS))
    # "publish" only when the configuration says so explicitly: editors review drafts;
    # "pending" puts every post in WordPress's review queue.
    status: str = setting(
        "draft", "the state a post lands in", choices=("draft", "pending", "future", "publish")
    )
    publish_date: str | None = setting(
        None, 'ISO 8601, for status "future"; without an offset: the site\'s time'
    )
    author: int | None = setting(None, "the WordPress user id posts are signed with", low=1)
    timeout: float = setting(30.0, "seconds for each request to the site", above=0)
    ai_disclosure: str = setting(
        "unreviewed", "when the mu-plugin adds the AI notice at publishing", choices=DISCLOSURES
    )
    sync_every: str = setting(
        "5m", "how often the daemon reads the editors' decisions back", parse=_interval
    )
    # Set by the loader from the prompts folder (disclosure.md, the writer's prompts).
    disclosure_text: str = setting(DEFAULT_DISCLOSURE_TEXT, "the AI notice (disclosure.md)")
    prompt_version: str = setting("", "the writer's prompts' version, for the provenance")
    password_file: str = setting(
        "", "a file holding the application password (chmod 600); DEPECHE_WP_APP_PASSWORD first"
    )

    def check(self) -> None:
        if self.publish_date is None:
            if self.status == "future":
                raise ConfigError(
                    'wordpress.publish_date: status = "future" needs it (ISO 8601 date and time)'
                )
            return
        if self.status != "future":
            raise ConfigError(
                f'wordpress.publish_date: only used with status = "future", not {self.status!r}'
            )
        try:
            datetime.fromisoformat(self.publish_date)
        except ValueError:
            raise ConfigError(
                f"wordpress.publish_date: {self.publish_date!r} is not an ISO 8601 date and time"
            ) from None

    @property
    def site(self) -> str:
        return self.url.rstrip("/")

    @property
    def sync_seconds(self) -> int:
        return parse_interval(self.sync_every, "wordpress.sync_every")

    @property
    def seo_keys(self) -> tuple[str, ...]:
        return SEO_KEYS.get(self.seo_plugin, ())

    def parsed_publish_date(self) -> datetime | None:
        return datetime.fromisoformat(self.publish_date) if self.publish_date else None
