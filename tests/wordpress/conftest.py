"""The real WordPress of scripts/wordpress.sh, for the tests marked ``wordpress``.

The session fixture starts it (idempotent: a no-op when it is up) and reads the
credentials it wrote to .wordpress/env. When WordPress cannot be reached the
tests FAIL: a skipped WordPress test in CI would hide a broken publisher.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import xmlrpc.client
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.publish.base import Submission
from bot.publish.wordpress import WordPressSettings
from bot.story import Draft, SourceArticle
from tests.servers.web import web_server  # noqa: F401  (a fixture for the image tests)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "wordpress.sh"
ENV_FILE = ROOT / ".wordpress" / "env"
PLUGINS = Path(__file__).parent / "plugins"
DEPECHE_PLUGIN = ROOT / "bot" / "publish" / "wordpress" / "depeche-mu-plugin.php"


@dataclass
class LocalWordPress:
    url: str
    user: str
    password: str
    author_user: str
    author_password: str
    mu_plugins: Path

    def settings(self, **overrides: Any) -> WordPressSettings:
        base = WordPressSettings(url=self.url, user=self.user, timeout=10)
        return replace(base, **overrides)

    def script(self, command: str) -> str:
        done = subprocess.run(
            [str(SCRIPT), command], check=True, capture_output=True, text=True, timeout=120
        )
        return done.stdout

    # The mu-plugins folder is how a test switches plugins on and off.
    def install_plugin(self, source: Path, name: str | None = None) -> None:
        shutil.copyfile(source, self.mu_plugins / (name or source.name))

    def remove_plugin(self, name: str) -> None:
        (self.mu_plugins / name).unlink(missing_ok=True)

    def client(self) -> httpx.Client:
        """REST as the editor, to look at what the bot left (never to publish)."""
        return httpx.Client(
            base_url=self.url + "/wp-json", auth=(self.user, self.password), timeout=10
        )

    def xmlrpc(self) -> Any:
        return xmlrpc.client.ServerProxy(self.url + "/xmlrpc.php", use_builtin_types=True)

    def post(self, post_id: int | str) -> dict[str, Any]:
        with self.client() as client:
            response = client.get(f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        response.raise_for_status()
        return response.json()

    def posts_of_story(self, story_uid: str) -> list[int]:
        with self.client() as client:
            response = client.get(
                "/wp/v2/posts",
                params={"depeche_story_id": story_uid, "context": "edit", "_fields": "id"},
            )
        response.raise_for_status()
        return [post["id"] for post in response.json()]

    def admin_page(self, path: str, login: str | None = None) -> str:
        """A wp-admin page as this user sees it in a browser (its login cookies)."""
        cookies = login_cookies(self.url, login or self.user)
        with httpx.Client(base_url=self.url, cookies=cookies, timeout=10) as client:
            response = client.get("/wp-admin/" + path)
        response.raise_for_status()
        return response.text

    def get(self, path: str, **params: Any) -> Any:
        with self.client() as client:
            response = client.get(path, params=params)
        response.raise_for_status()
        return response.json()


def login_cookies(url: str, login: str) -> dict[str, str]:
    """wp-admin's cookies of a fresh session of this user (scripts/wordpress/login-cookie.php)."""
    done = subprocess.run(
        ["php", str(ROOT / "scripts" / "wordpress" / "login-cookie.php")],
        env={"WP_URL": url, "WP_DIR": "/usr/share/wordpress", "WP_LOGIN": login,
             "PATH": "/usr/bin:/bin"},
        check=True, capture_output=True, text=True, timeout=60,
    )
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def _read_env() -> dict[str, str]:
    return _parse_env(ENV_FILE.read_text(encoding="utf-8"))


def _parse_env(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            values[key] = value.strip("'")
    return values


@pytest.fixture(scope="session")
def wordpress() -> LocalWordPress:
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=600)
    if started.returncode != 0 or not ENV_FILE.exists():
        pytest.fail(
            f"scripts/wordpress.sh start failed (exit {started.returncode}):\n{started.stderr}",
            pytrace=False,
        )
    env = _read_env()
    site = LocalWordPress(
        url=env["DEPECHE_WP_URL"],
        user=env["DEPECHE_WP_USER"],
        password=env["DEPECHE_WP_APP_PASSWORD"],
        author_user=env["WP_AUTHOR_USER"],
        author_password=env["WP_AUTHOR_APP_PASSWORD"],
        mu_plugins=Path(env["WP_MU_PLUGINS"]),
    )
    try:
        site.get("/depeche/v1/info")
    except httpx.HTTPError as error:
        pytest.fail(f"WordPress at {site.url} does not answer: {error}", pytrace=False)
    return site


@pytest.fixture(scope="module")
def fresh_site(wordpress: LocalWordPress) -> LocalWordPress:
    """Posts, terms and media emptied once per module."""
    wordpress.script("reset")
    return wordpress


@pytest.fixture
def wp(fresh_site: LocalWordPress) -> Iterator[LocalWordPress]:
    """The site with only the Dépêche mu-plugin, before and after the test."""
    _only_depeche_plugin(fresh_site)
    yield fresh_site
    _only_depeche_plugin(fresh_site)


@pytest.fixture(scope="module")
def bot_user(fresh_site: LocalWordPress) -> tuple[str, str]:
    """(login, application password) of a user of the mu-plugin's role depeche_bot."""
    _only_depeche_plugin(fresh_site)  # the role comes with the mu-plugin
    env = _parse_env(fresh_site.script("bot-user"))
    return env["WP_BOT_USER"], env["WP_BOT_APP_PASSWORD"]


def _only_depeche_plugin(site: LocalWordPress) -> None:
    for plugin in site.mu_plugins.glob("*.php"):
        if plugin.name != "depeche.php":
            plugin.unlink()
    site.install_plugin(DEPECHE_PLUGIN, "depeche.php")


def french_draft(**overrides: Any) -> Draft:
    """A short French article written for these tests."""
    fields: dict[str, Any] = {
        "title": "La ville de Nantes ouvre trois nouvelles pistes cyclables",
        "seo_title": "Nantes : trois nouvelles pistes cyclables ouvertes",
        "meta_description": "Nantes inaugure trois pistes cyclables qui relient le centre "
        "aux quartiers nord ; les travaux ont duré un an et demi.",
        "focus_keyphrase": "pistes cyclables Nantes",
        "slug": "nantes-nouvelles-pistes-cyclables",
        "excerpt": "Trois pistes cyclables relient désormais le centre de Nantes au nord.",
        "body_html": (
            "<p>La municipalité de Nantes a inauguré lundi trois pistes cyclables "
            "qui relient l’hypercentre aux quartiers nord.</p>"
            "<h2>Un chantier d’un an et demi</h2>"
            "<p>Les travaux ont commencé au printemps dernier et ont coûté "
            "« un peu moins que prévu », selon l’adjointe aux mobilités.</p>"
            "<ul><li>quai de la Fosse</li><li>boulevard des Poilus</li></ul>"
            "<blockquote><p>Nous voulons que le vélo devienne une évidence.</p></blockquote>"
        ),
        "tags": ["vélo", "mobilités"],
        "category": "Société",
        "writer": "gpt-4o-mini",
        "warnings": [
            "le coût du chantier n’est pas chiffré par la source",
            "vérifier le nom de l’adjointe",
        ],
    }
    fields.update(overrides)
    return Draft(**fields)


def submission(story_uid: str, **overrides: Any) -> Submission:
    draft = overrides.pop("draft", None) or french_draft()
    fields: dict[str, Any] = {
        "story_uid": story_uid,
        "draft": draft,
        "sources": (SourceArticle(
            "Nantes : trois pistes cyclables inaugurées", "",
            f"https://fil.example.org/articles/{story_uid}", "Le Fil de l’Ouest"),),
        "category": draft.category,  # as bot.pipeline.stages resolves it
    }
    fields.update(overrides)
    return Submission(**fields)


def png_image(width: int = 4, height: int = 3) -> bytes:
    """A real PNG, so that WordPress's file-type check accepts it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
