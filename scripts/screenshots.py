"""The editor's view of Dépêche in wp-admin, for docs/wordpress.md (docs/img/*.png).

Takes the screenshots of the real wp-admin pages of the local WordPress with Debian's
headless Chromium, driven over its DevTools pipe (no WebSocket library, no Playwright):

- wp-pending-list.png   Posts → Pending: the bot's posts waiting for an editor;
- wp-editor-pending.png the block editor on that post, the Dépêche box in its sidebar;
- wp-box-draft.png      the Dépêche box of a pending post: the editor note, who wrote it,
                        nobody reviewed it yet, the approval box, a rewrite request
                        (instruction written, « Réécrire » ticked);
- wp-box-published.png  the box of a post an editor edited and published: « Relu par »,
                        « Publié par … le … »;
- wp-ai-notice.png      the end of a post published as the bot wrote it: the AI notice
                        the mu-plugin added at publishing.

It posts three stories as the bot (a user of the role depeche_bot, status "pending"),
plays the editor on them over REST, logs the editor into wp-admin with a cookie
(scripts/wordpress/login-cookie.php) and shoots each page's element. Nothing leaves
127.0.0.1. Run it alone on the local site (it refreshes the bot user's password):

    scripts/wordpress.sh start && flock /tmp/depeche-wp.lock .venv/bin/python scripts/screenshots.py

Needs: apt-get install chromium php-cli imagemagick (convert shrinks the PNGs).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config.prompts import default_prompts_dir, with_prompts  # noqa: E402
from bot.config.wordpress import WordPressSettings  # noqa: E402
from bot.publish.wordpress import WordPressPublisher  # noqa: E402
from bot.publish.wordpress.transport import REWRITE_ASKED_KEY, REWRITE_KEY  # noqa: E402
from bot.story import Draft, SourceArticle, Submission  # noqa: E402

OUT = ROOT / "docs" / "img"
WIDTH = 1280
MAX_BYTES = 150_000


def env(command: str) -> dict[str, str]:
    text = subprocess.run(
        [str(ROOT / "scripts" / "wordpress.sh"), command],
        check=True, capture_output=True, text=True,
    ).stdout
    pairs = (line.removeprefix("export ").split("=", 1) for line in text.splitlines()
             if line.startswith("export "))
    return {key: value.strip("'") for key, value in pairs}


# Three short French stories written for these screenshots (invented, local news).
STORIES = [
    (
        "Angers : la piscine Jean-Bouin rouvre après dix-huit mois de travaux",
        "piscine Angers",
        "<p>La piscine Jean-Bouin d’Angers rouvre lundi après dix-huit mois de travaux, "
        "a annoncé la mairie. Le bassin olympique a été entièrement rénové.</p>"
        "<h2>Un bassin nordique ouvert toute l’année</h2>"
        "<p>Le chantier a coûté 14 millions d’euros, selon la ville. Un bassin extérieur "
        "chauffé accueillera les nageurs même en hiver.</p>"
        "<p>Les tarifs restent inchangés pour les habitants de l’agglomération.</p>",
        ["le coût du chantier n’est donné que par la ville", "vérifier la date de réouverture"],
    ),
    (
        "Rennes : le métro b prolongé jusqu’à Cesson-Sévigné à l’horizon 2030",
        "métro Rennes",
        "<p>Le conseil métropolitain de Rennes a voté jeudi le prolongement de la ligne b "
        "du métro jusqu’à Cesson-Sévigné. Trois stations seront construites.</p>"
        "<h2>Une enquête publique au printemps</h2>"
        "<p>Les habitants pourront donner leur avis lors d’une enquête publique prévue au "
        "printemps prochain, précise la métropole.</p>",
        [],
    ),
    (
        "Nantes : trois nouvelles pistes cyclables relient le centre aux quartiers nord",
        "pistes cyclables Nantes",
        "<p>La municipalité de Nantes a inauguré lundi trois pistes cyclables qui relient "
        "l’hypercentre aux quartiers nord.</p>"
        "<h2>Un chantier d’un an et demi</h2>"
        "<p>Les travaux ont commencé au printemps dernier, selon l’adjointe aux "
        "mobilités.</p>",
        [],
    ),
]


def submission(title: str, keyphrase: str, body: str, warnings: list[str]) -> Submission:
    uid = f"demo-{uuid.uuid4().hex[:10]}"
    draft = Draft(
        title=title,
        seo_title=title[:60],
        meta_description=f"{title}. Les détails de la décision et le calendrier."[:155],
        focus_keyphrase=keyphrase,
        slug=keyphrase.replace(" ", "-").lower() + "-" + uid[-4:],
        excerpt=title,
        body_html=body,
        tags=["collectivités"],
        category="Société",
        writer="mistral-small-3.2",
        warnings=warnings,
    )
    source = SourceArticle(title, "", f"https://fil.example.org/{uid}", "Le Fil de l’Ouest")
    return Submission(story_uid=uid, draft=draft, sources=(source,), category="Société")


def post_as_bot(site: dict[str, str], bot: dict[str, str]) -> list[int]:
    settings = with_prompts(
        WordPressSettings(url=site["DEPECHE_WP_URL"], user=bot["WP_BOT_USER"], status="pending"),
        default_prompts_dir(),
    )
    publisher = WordPressPublisher(settings, bot["WP_BOT_APP_PASSWORD"])
    return [int(publisher.publish(submission(*story)).post_id) for story in STORIES]


def remove_earlier_demo(site: dict[str, str]) -> None:
    """The posts an earlier run of this script left (story ids demo-…), deleted for good."""
    auth = (site["DEPECHE_WP_USER"], site["DEPECHE_WP_APP_PASSWORD"])
    with httpx.Client(base_url=site["DEPECHE_WP_URL"] + "/wp-json", auth=auth) as client:
        posts = client.get("/wp/v2/posts", params={
            "status": "publish,draft,pending,trash", "context": "edit", "per_page": 100,
            "_fields": "id,meta"}).json()
        for post in posts:
            if str((post.get("meta") or {}).get("depeche_story_id", "")).startswith("demo-"):
                client.delete(f"/wp/v2/posts/{post['id']}", params={"force": "true"})


def play_the_editor(site: dict[str, str], pending: int, edited: int, as_is: int) -> None:
    """Asks a rewrite of the pending post, edits then publishes one, publishes one as is."""
    auth = (site["DEPECHE_WP_USER"], site["DEPECHE_WP_APP_PASSWORD"])
    with httpx.Client(base_url=site["DEPECHE_WP_URL"] + "/wp-json", auth=auth) as client:
        request = {REWRITE_KEY: "plus court, 300 mots ; angle : les tarifs", REWRITE_ASKED_KEY: "1"}
        client.post(f"/wp/v2/posts/{pending}", json={"meta": request}).raise_for_status()
        post = client.get(f"/wp/v2/posts/{edited}", params={"context": "edit"}).json()
        text = post["content"]["raw"].replace("jeudi", "jeudi soir")
        client.post(f"/wp/v2/posts/{edited}", json={"content": text}).raise_for_status()
        for post_id in (edited, as_is):
            client.post(f"/wp/v2/posts/{post_id}", json={"status": "publish"}).raise_for_status()
        # No welcome guide over the editor: the page as an editor sees it every day.
        preferences = {
            "core/edit-post": {"welcomeGuide": False, "isComplementaryAreaVisible": True},
            "_modified": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        client.post("/wp/v2/users/me", json={"meta": {"persisted_preferences": preferences}})


def login_cookies(site: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        ["php", str(ROOT / "scripts" / "wordpress" / "login-cookie.php")],
        env={"WP_URL": site["DEPECHE_WP_URL"], "WP_DIR": "/usr/share/wordpress",
             "WP_LOGIN": site["DEPECHE_WP_USER"], "PATH": os.environ["PATH"]},
        check=True, capture_output=True, text=True,
    )
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


class Chromium:
    """Headless Chromium over --remote-debugging-pipe: JSON messages ended by a NUL byte,
    ours on its fd 3, its answers on its fd 4."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="depeche-chromium-")
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def wire_pipes() -> None:
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self._process = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--remote-debugging-pipe",
             "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={self._profile}",
             "--lang=fr-FR", "about:blank"],
            preexec_fn=wire_pipes, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._session = ""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}, browser=True
        )["sessionId"]
        self.send("Page.enable")

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             browser: bool = False) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self._session and not browser:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def open(self, url: str, ready: str, height: int) -> None:
        """Go to `url` and wait until the JavaScript expression `ready` is true."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + 60
        while not self.evaluate(f"Boolean({ready})"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: not ready after 60 s ({ready})")
            time.sleep(0.3)
        time.sleep(3)  # fonts, icons, the last layout

    def shoot(self, selector: str, path: Path, margin: int = 8) -> None:
        """The elements matching `selector`, together, with a margin around them."""
        x, y, right, bottom = self.evaluate(
            f"(() => {{ const all = [...document.querySelectorAll({json.dumps(selector)})];"
            " all[0].scrollIntoView({block: 'center'});"
            " const r = all.map(e => e.getBoundingClientRect());"
            " return [Math.min(...r.map(b => b.left)) + scrollX,"
            " Math.min(...r.map(b => b.top)) + scrollY,"
            " Math.max(...r.map(b => b.right)) + scrollX,"
            " Math.max(...r.map(b => b.bottom)) + scrollY]; })()"
        )
        width, height = right - x, bottom - y
        clip = {"x": max(x - margin, 0), "y": max(y - margin, 0),
                "width": width + 2 * margin, "height": height + 2 * margin, "scale": 1}
        shot = self.send("Page.captureScreenshot",
                         {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))
        shrink(path)

    def shoot_window(self, path: Path) -> None:
        """What the window shows, as the editor sees it on a laptop."""
        shot = self.send("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        shrink(path)

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        os.close(self._commands)
        os.close(self._answers)
        shutil.rmtree(self._profile, ignore_errors=True)


def imagemagick() -> bool:
    try:
        done = subprocess.run(["convert", "-version"], capture_output=True, text=True)
    except FileNotFoundError:
        return False
    return done.returncode == 0 and "ImageMagick" in done.stdout


def shrink(path: Path) -> None:
    """256 colours are plenty for wp-admin's flat grey and blue: a fraction of the bytes."""
    if imagemagick():
        subprocess.run(["convert", str(path), "-strip", "-colors", "256", f"PNG8:{path}"],
                       check=True)
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT)}: {size // 1000} KB")
    if size > MAX_BYTES:
        raise SystemExit(f"{path.name} is {size} bytes, more than {MAX_BYTES}: crop it")


def main() -> None:
    site = env("env")
    # This checkout's mu-plugin, as `depeche wp plugin` prints it.
    plugin = ROOT / "bot" / "publish" / "wordpress" / "depeche-mu-plugin.php"
    shutil.copyfile(plugin, Path(site["WP_MU_PLUGINS"]) / "depeche.php")
    bot = env("bot-user")
    remove_earlier_demo(site)
    pending, edited, as_is = post_as_bot(site, bot)
    play_the_editor(site, pending, edited, as_is)
    url = site["DEPECHE_WP_URL"]
    OUT.mkdir(parents=True, exist_ok=True)
    browser = Chromium()
    try:
        browser.send(
            "Storage.setCookies",
            {"cookies": [{"name": name, "value": value, "domain": "127.0.0.1", "path": "/"}
                         for name, value in login_cookies(site).items()]},
            browser=True,
        )
        pending_list = f"edit.php?post_status=pending&post_type=post&author={bot['WP_BOT_ID']}"
        browser.open(f"{url}/wp-admin/{pending_list}",
                     "document.querySelector('.wp-list-table')", 900)
        browser.shoot("#posts-filter", OUT / "wp-pending-list.png")
        editor_ready = "document.querySelector('#depeche-editor-note .inside')"
        browser.open(f"{url}/wp-admin/post.php?post={pending}&action=edit", editor_ready, 800)
        browser.evaluate(
            "document.querySelector('#depeche-editor-note').scrollIntoView({block: 'end'})"
        )
        browser.shoot_window(OUT / "wp-editor-pending.png")
        browser.open(f"{url}/wp-admin/post.php?post={pending}&action=edit", editor_ready, 2400)
        browser.shoot("#depeche-editor-note", OUT / "wp-box-draft.png")
        browser.open(f"{url}/wp-admin/post.php?post={edited}&action=edit", editor_ready, 2400)
        browser.shoot("#depeche-editor-note", OUT / "wp-box-published.png")
        notice = "document.querySelector('.depeche-ai-disclosure')"
        browser.open(f"{url}/wp-admin/post.php?post={as_is}&action=edit", notice, 1400)
        last_paragraphs = ".is-root-container > :nth-last-child(-n+3):not(.block-list-appender)"
        browser.shoot(last_paragraphs, OUT / "wp-ai-notice.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
