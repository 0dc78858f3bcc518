"""`depeche wp check`: would a draft land on this site with every configured field?"""

from __future__ import annotations

import uuid
from typing import Any

from bot.config.wordpress import APIS, WordPressSettings
from bot.errors import PublishError
from bot.publish.wordpress.doctor import diagnose
from bot.publish.wordpress.publisher import open_transport
from bot.publish.wordpress.transport import (
    INSTALL_HINT,
    NOTE_KEY,
    ROLE,
    STORY_KEY,
    PostFields,
    Transport,
    outdated_message,
    plugin_outdated,
)

_API_NAMES = {"rest": "REST API", "xmlrpc": "XML-RPC"}
_NEEDED_CAPS = {
    "edit_posts": "create drafts",
    "upload_files": "upload featured images (without it, drafts land without them)",
    "manage_categories": "create missing categories (an author cannot, an editor can)",
}


def check_site(settings: WordPressSettings, password: str) -> tuple[bool, list[str]]:
    """(ok, lines to print): ok only when a draft would land with every configured field."""
    lines = [f"[info] site {settings.site}, user {settings.user!r}, api {settings.api!r}"]
    findings = diagnose(settings, password)
    lines += [f"[{level}] {text}" for level, text in findings]
    working = {api: _transport_works(settings, password, api, lines) for api in APIS}
    if not working[settings.api] or any(level == "fail" for level, _ in findings):
        lines.append(f"[fail] the configured transport ({_API_NAMES[settings.api]}) does not work")
        return False, lines
    transport = open_transport(settings, password)
    try:
        ok = _check_with(transport, settings, lines)
    except PublishError as error:
        lines.append(f"[fail] {error}")
        ok = False
    finally:
        transport.close()
    lines.append(
        "[ok] a draft would land with every configured field"
        if ok
        else "[fail] drafts would not land as configured: see above"
    )
    return ok, lines


def _transport_works(settings: WordPressSettings, password: str, api: str, lines: list) -> bool:
    transport = open_transport(settings, password, api)
    try:
        me = transport.profile()
    except PublishError as error:
        lines.append(f"[{'fail' if api == settings.api else 'info'}] {_API_NAMES[api]}: {error}")
        return False
    finally:
        transport.close()
    roles = ", ".join(me["roles"]) or "none"
    lines.append(f"[ok] {_API_NAMES[api]} works: logged in as {me['user']!r} (roles: {roles})")
    return True


def _check_with(transport: Transport, settings: WordPressSettings, lines: list[str]) -> bool:
    info = transport.plugin_info()
    if info is None:
        lines.append(f"[fail] the Dépêche mu-plugin is missing: {INSTALL_HINT}")
    elif plugin_outdated(info):
        lines.append(f"[fail] {outdated_message(settings, info)}")
    else:
        lines.append(f"[ok] the Dépêche mu-plugin is installed (version {info['version']})")
    caps_ok = info is not None and _capabilities_ok(info, settings, lines)
    fields_ok = _fields_stick(transport, settings, lines)
    return info is not None and not plugin_outdated(info) and caps_ok and fields_ok


def _capabilities_ok(info: dict[str, Any], settings: WordPressSettings, lines: list) -> bool:
    caps = info.get("capabilities", {})
    needed = dict(_NEEDED_CAPS)
    if settings.status in ("future", "publish"):
        needed["publish_posts"] = f"publish or schedule (status = {settings.status!r})"
    ok = True
    for cap, purpose in needed.items():
        has = bool(caps.get(cap))
        blocking = cap in ("edit_posts", "publish_posts")
        label = "ok" if has else ("fail" if blocking else "warn")
        lines.append(f"[{label}] capability {cap}: {'yes' if has else 'NO'}, needed to {purpose}")
        ok = ok and (has or not blocking)
    if settings.status in ("draft", "pending") and caps.get("publish_posts"):
        roles = ", ".join(info.get("roles", [])) or "none"
        lines.append(
            f"[warn] user {settings.user!r} can publish (roles: {roles}), more than a bot that "
            f"writes {settings.status} posts needs. Fix: give it the role « Dépêche (bot) » "
            f"({ROLE}, added by the mu-plugin: writes and edits its own posts, uploads images, "
            "picks existing categories and tags, never publishes) in Users → Edit user → Role"
        )
    return ok


def _fields_stick(transport: Transport, settings: WordPressSettings, lines: list[str]) -> bool:
    """Write every field on a throwaway draft, read it back, delete the draft for good."""
    meta = {
        STORY_KEY: f"depeche-check-{uuid.uuid4().hex}",
        NOTE_KEY: "Brouillon de vérification de Dépêche, supprimé aussitôt.",
    }
    meta.update({key: f"Vérification {key}" for key in settings.seo_keys})
    fields = PostFields(
        title="Dépêche : brouillon de vérification (à supprimer)",
        slug="depeche-verification",
        excerpt="",
        content="",
        status="draft",
        meta=meta,
    )
    post_id = transport.create_post(fields)
    try:
        post = transport.get_post(post_id)
    finally:
        transport.delete_post(post_id)
    ok = True
    for key, sent in meta.items():
        sticks = post is not None and post.meta.get(key) == sent
        lines.append(
            f"[{'ok' if sticks else 'fail'}] field {key}: "
            + ("sticks" if sticks else f"does NOT stick; fix: {INSTALL_HINT}")
        )
        ok = ok and sticks
    return ok
