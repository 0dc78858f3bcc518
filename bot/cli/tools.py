"""depeche wp check | wp plugin | seo check."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli import render
from bot.cli.common import UserError, with_config
from bot.config import Config


@click.group()
def wp() -> None:
    """WordPress: check the site, print the companion mu-plugin."""


@wp.command("check")
@with_config
def wp_check(config: Config) -> None:
    """Would a draft land with every configured field? Exit 0 only if so."""
    from bot.publish.wordpress import check_site

    if config.wordpress is None:
        raise UserError("wordpress.url: no site configured (or DEPECHE_WP_URL)")
    ok, lines = check_site(config.wordpress, config.wp_password)
    for line in lines:
        click.echo(line)
    sys.exit(0 if ok else 1)


@wp.command("plugin")
def wp_plugin() -> None:
    """Print the mu-plugin to copy into wp-content/mu-plugins/depeche.php."""
    from bot.publish.wordpress import mu_plugin_source

    click.echo(mu_plugin_source(), nl=False)


@click.group()
def seo() -> None:
    """Yoast-grade analysis of a draft."""


@seo.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keyphrase", help="Focus keyphrase (else the draft's or the page's own).")
@click.option("--json", "as_json", is_flag=True)
def seo_check(file: Path, keyphrase: str | None, as_json: bool) -> None:
    """Analyse a draft JSON (outbox or `rewrite --json`) or an HTML page (an outbox page,
    read with its own SEO fields and its article alone)."""
    from bot.seo import analyze
    from bot.seo.page import read_page

    text = file.read_text(encoding="utf-8")
    if file.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise UserError(f"{file}: not valid JSON ({error})") from None
        body = data.get("body_html") or data.get("content_html") or ""
        fields = {k: data.get(k, "") for k in ("title", "seo_title", "meta_description", "slug")}
        keyphrase = keyphrase or data.get("focus_keyphrase", "")
    else:
        page = read_page(text)
        body, keyphrase = page.body_html, keyphrase or page.focus_keyphrase
        fields = {
            "title": page.title,
            "seo_title": page.seo_title,
            "meta_description": page.meta_description,
            "slug": page.slug,
        }
        if not keyphrase:
            raise UserError(f"{file}: the page names no focus keyphrase; give --keyphrase")
    report = analyze(body_html=body, keyphrase=keyphrase or "", **fields)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    rows = [[a.id, a.rating, a.score, a.text] for a in [*report.seo, *report.readability]]
    render.table(
        f"SEO {report.seo_score}/100 · lisibilité {report.readability_score}/100",
        ["assessment", "rating", "score", "explanation"],
        rows,
    )
