"""Tables and lines for the terminal (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from bot.pipeline import CycleReport

console = Console()

STATE_STYLE = {
    "new": "cyan",
    "written": "blue",
    "published": "green",
    "held": "yellow",
    "failed": "red",
    "duplicate": "dim",
}


def cycle(report: CycleReport) -> None:
    feeds = Table(title="Feeds", title_justify="left")
    for column in ("feed", "new", "duplicates", "known", "result"):
        feeds.add_column(
            column, justify="right" if column in ("new", "duplicates", "known") else "left"
        )
    for f in report.feeds:
        result = f"[red]{f.error}[/]" if f.error else ("not modified" if f.not_modified else "ok")
        feeds.add_row(f.url, str(f.new), str(f.duplicates), str(f.known), result)
    console.print(feeds if report.feeds else "No feed was due.")
    if report.stories:
        stories = Table(title="Stories", title_justify="left")
        for column in ("id", "title", "stage", "state", "detail"):
            stories.add_column(column, overflow="fold")
        for s in report.stories:
            style = STATE_STYLE.get(s.state, "")
            stories.add_row(
                str(s.story_id), s.title[:70], s.stage, f"[{style}]{s.state}[/]", s.detail
            )
        console.print(stories)
    if report.skipped_publishing:
        console.print(f"[red]Publishing stopped:[/] {report.skipped_publishing}")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    console.print(out)
