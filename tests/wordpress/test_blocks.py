"""Block markup and the mu-plugin: no WordPress needed."""

from __future__ import annotations

from bot.publish.wordpress import mu_plugin_source
from bot.publish.wordpress.blocks import to_blocks


def test_each_element_becomes_its_native_block():
    markup = to_blocks(
        "<h2>Les faits</h2><p>Le conseil a voté <strong>lundi</strong>.</p>"
        "<h3>Détails</h3><ol><li>un</li><li>deux</li></ol>"
        "<blockquote><p>C’est historique.</p><cite>La maire</cite></blockquote>"
    )
    assert markup.split("\n\n") == [
        "<!-- wp:heading -->\n<h2>Les faits</h2>\n<!-- /wp:heading -->",
        "<!-- wp:paragraph -->\n<p>Le conseil a voté <strong>lundi</strong>.</p>\n"
        "<!-- /wp:paragraph -->",
        '<!-- wp:heading {"level":3} -->\n<h3>Détails</h3>\n<!-- /wp:heading -->',
        '<!-- wp:list {"ordered":true} -->\n<ol><li>un</li><li>deux</li></ol>\n<!-- /wp:list -->',
        '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>C’est historique.</p>'
        "<cite>La maire</cite></blockquote>\n<!-- /wp:quote -->",
    ]


def test_loose_text_becomes_paragraphs_and_the_rest_custom_html():
    markup = to_blocks("Premier & seul<table><tr><td>1</td></tr></table>Fin")
    assert markup.split("\n\n") == [
        "<!-- wp:paragraph -->\n<p>Premier &amp; seul</p>\n<!-- /wp:paragraph -->",
        "<!-- wp:html -->\n<table><tr><td>1</td></tr></table>\n<!-- /wp:html -->",
        "<!-- wp:paragraph -->\n<p>Fin</p>\n<!-- /wp:paragraph -->",
    ]


def test_h1_is_demoted_the_title_is_the_page_h1():
    assert (
        to_blocks("<h1>Titre</h1>") == "<!-- wp:heading -->\n<h2>Titre</h2>\n<!-- /wp:heading -->"
    )


def test_an_empty_body_has_no_blocks():
    assert to_blocks("  ") == ""


def test_the_mu_plugin_ships_inside_the_package():
    source = mu_plugin_source()
    assert source.startswith("<?php") and "Plugin Name: Dépêche companion" in source
    assert "current_user_can('edit_post', $post_id)" in source
