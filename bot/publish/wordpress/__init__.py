"""The WordPress publisher: drafts over REST or XML-RPC, with SEO fields, never twice.

See docs/wordpress.md. The companion mu-plugin ships in this package
(``depeche-mu-plugin.php``) and is printed by ``depeche wp plugin``.
"""

from __future__ import annotations

from importlib.resources import files

from bot.config.wordpress import WordPressSettings
from bot.publish.wordpress.check import check_site
from bot.publish.wordpress.publisher import WordPressPublisher

__all__ = ["WordPressPublisher", "WordPressSettings", "check_site", "mu_plugin_source"]


def mu_plugin_source() -> str:
    """The mu-plugin's PHP, to save as wp-content/mu-plugins/depeche.php."""
    return files(__name__).joinpath("depeche-mu-plugin.php").read_text(encoding="utf-8")
