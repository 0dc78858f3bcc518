"""The connection doctor of `depeche wp check`: why a site does not connect, and the fix.

Each probe asks WordPress the way a browser would, with and without the credentials, and
recognises the answers of the classic failures: the ``Authorization`` header stripped by
the web server, application passwords disabled, the REST API closed by a security plugin,
XML-RPC blocked by the host. Lines are (level, text); the level is "fail" only for what
breaks the configured transport.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

import httpx

from bot.config.wordpress import WordPressSettings

Finding = tuple[str, str]

AUTHORIZATION_FIX = (
    "the web server strips the Authorization header before PHP sees it, so WordPress never "
    "receives the application password. Fix: on Apache add `CGIPassAuth On` (Apache 2.4.13+) "
    'to the site\'s <Directory> or .htaccess, or in .htaccess `SetEnvIf Authorization "(.*)" '
    "HTTP_AUTHORIZATION=$1`; on nginx with PHP-FPM add `fastcgi_param HTTP_AUTHORIZATION "
    '$http_authorization;` to the PHP location; or set [wordpress] api = "xmlrpc"'
)
APP_PASSWORDS_FIX = (
    "application passwords are disabled on this site (a security plugin, or code returning "
    "false from the wp_is_application_passwords_available filter; WordPress itself disables "
    "them on a plain http:// site unless WP_ENVIRONMENT_TYPE is 'local'). Fix: turn them "
    "back on in the security plugin's settings (or remove that filter) and use the https:// "
    'URL; or set [wordpress] api = "xmlrpc"'
)
REST_CLOSED_FIX = (
    "the REST API is closed by a security plugin (Disable REST API, Solid Security, "
    "Wordfence, Perfmatters...). Fix: allow the REST API to logged-in users, or whitelist "
    'the routes wp/v2 and depeche/v1 in that plugin; or set [wordpress] api = "xmlrpc"'
)
XMLRPC_BLOCKED_FIX = (
    "XML-RPC is blocked on this site (by the host, a firewall or a security plugin). Fix: "
    'set [wordpress] api = "rest" (recommended); XML-RPC is only a fallback'
)


def diagnose(settings: WordPressSettings, password: str) -> list[Finding]:
    """What is wrong with the connection, each with its fix; [] when nothing is."""
    with httpx.Client(
        base_url=settings.site,
        timeout=settings.timeout,
        follow_redirects=False,
        headers={"User-Agent": "Depeche (wp check)", "Accept": "application/json"},
    ) as client:
        try:
            return [
                *_rest_findings(client, settings, password),
                *_xmlrpc_findings(client, settings),
            ]
        except httpx.TransportError:
            return []  # unreachable: the transports' own check says so, with the address


def _level(settings: WordPressSettings, api: str) -> str:
    return "fail" if settings.api == api else "warn"


def _rest_findings(client: httpx.Client, settings: WordPressSettings, password: str):
    level = _level(settings, "rest")
    index = client.get("/wp-json/")
    if index.status_code in (401, 403):
        code = _code(index)
        return [
            (
                level,
                f"REST API: /wp-json/ answers HTTP {index.status_code} {code}: " + REST_CLOSED_FIX,
            )
        ]
    if not index.is_success:
        return []  # no API there or a redirect: the transport's message names those
    body = _json(index)
    if "application-passwords" not in (body.get("authentication") or {}):
        return [(level, "REST API: " + APP_PASSWORDS_FIX)]
    path, params = "/wp-json/wp/v2/users/me", {"context": "edit"}
    signed = client.get(path, params=params, auth=(settings.user, password))
    if signed.status_code == 401 and not _credentials_reach_php(client, settings, password):
        return [(level, f"REST API: logged out although a password was sent: {AUTHORIZATION_FIX}")]
    if signed.status_code in (401, 403) and _code(signed) in (
        "rest_cannot_access",
        "rest_disabled",
    ):
        return [(level, f"REST API: {_code(signed)} for a logged-in user: " + REST_CLOSED_FIX)]
    return []


def _credentials_reach_php(client: httpx.Client, settings: WordPressSettings, password: str):
    """False when the Authorization header is lost on the way (a wrong password and a lost
    header get the same 401 from WordPress: the mu-plugin tells them apart)."""
    auth = (settings.user, password)
    answer = client.get("/wp-json/depeche/v1/credentials-seen", auth=auth)
    if answer.status_code == 200:
        return bool(_json(answer).get("seen"))
    # An older or missing mu-plugin: the same password working over XML-RPC (credentials
    # in the body) while REST sees nobody means the header was lost.
    return not _xmlrpc_login_works(client, settings, password)


def _xmlrpc_login_works(client: httpx.Client, settings: WordPressSettings, password: str):
    call = xmlrpc.client.dumps((0, settings.user, password), "wp.getProfile")  # blog id, login
    answer = client.post("/xmlrpc.php", content=call, headers={"Content-Type": "text/xml"})
    try:
        xmlrpc.client.loads(answer.text)
    except (xmlrpc.client.Fault, ExpatError):
        return False
    return answer.status_code == 200


def _xmlrpc_findings(client: httpx.Client, settings: WordPressSettings) -> list[Finding]:
    # system.listMethods needs no login: any XML-RPC endpoint answers it.
    call = (
        "<?xml version='1.0'?><methodCall><methodName>system.listMethods</methodName>"
        "<params></params></methodCall>"
    )
    answer = client.post("/xmlrpc.php", content=call, headers={"Content-Type": "text/xml"})
    if answer.status_code == 200 and "<methodResponse>" in answer.text:
        return []
    seen = f"HTTP {answer.status_code}" + ("" if answer.status_code != 200 else ", not XML-RPC")
    return [
        (_level(settings, "xmlrpc"), f"XML-RPC: /xmlrpc.php answers {seen}: {XMLRPC_BLOCKED_FIX}")
    ]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _code(response: httpx.Response) -> str:
    return str(_json(response).get("code", ""))
