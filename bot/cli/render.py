"""Tables and lines for the terminal (rich), readable at 80 columns: long cells end in
« … » on one line, feeds are shown by name or host, each story has one row."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.story import CycleReport, StoryOutcome

console = Console()

STATE_STYLE = {
    "new": "cyan",
    "written": "blue",
    "published": "green",
    "held": "yellow",
    "failed": "red",
    "duplicate": "dim",
    "skipped": "dim",
}
# Columns whose whole text matters (an error, a reason, an address) wrap, and give way
# first when the terminal is narrow; names and titles end in « … » on one line, within
# a share of the width; the short ones (states, times, counts) are never cut.
WRAPPED = {
    "result",
    "detail",
    "last error",
    "reasons",
    "explanation",
    "error",
    "post",
    "why",
    "post or waiting",
}
CUT = {"title": 2 / 5, "feed": 1 / 4}  # the share of the width each may take
NUMERIC = {
    "id", "source", "new", "skipped", "duplicates", "known", "count", "errors", "score", "used",
    "of",
}


def feed_label(url: str, name: str = "") -> str:
    """What a reader knows a feed by: its name, else the host of its URL, else its file name."""
    if name:
        return name
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        return parts.hostname.removeprefix("www.")
    return Path(parts.path if parts.scheme == "file" else url).name or url


def short_location(url: str) -> str:
    """A post's address; an outbox page as a path relative to here when it is below."""
    if not url.startswith("file://"):
        return url
    path = Path(unquote(urlsplit(url).path))
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def brief_time(when: str) -> str:
    """A table's time: month, day, hours and minutes (the year and seconds are in --json)."""
    return when[5:16]


def _new_table(title: str, columns: list[str]) -> Table:
    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(
            column,
            justify="right" if column in NUMERIC else "left",
            overflow="fold" if column in WRAPPED else "ellipsis",
            no_wrap=column not in WRAPPED,
            max_width=max(16, int(console.width * CUT[column])) if column in CUT else None,
        )
    return out


def _one_row_per_story(outcomes: list[StoryOutcome]) -> list[list[str]]:
    """A story written then published in the same cycle is one row: its last state,
    and what each stage said."""
    rows: dict[int, list[str]] = {}
    for outcome in outcomes:
        style = STATE_STYLE.get(outcome.state, "")
        detail = short_location(outcome.detail) if outcome.stage == "publish" else outcome.detail
        row = rows.setdefault(
            outcome.story_id, [str(outcome.story_id), escape(outcome.title), "", ""]
        )
        row[2] = f"[{style}]{outcome.state}[/]" if style else outcome.state
        row[3] = "; ".join(part for part in (row[3], escape(detail)) if part)
    return list(rows.values())


def cycle(report: CycleReport, names: Mapping[str, str], next_due: str | None) -> None:
    if report.feeds:
        feeds = _new_table("Feeds", ["feed", "new", "skipped", "duplicates", "known", "result"])
        for f in report.feeds:
            if f.error:
                result = f"[red]{escape(f.error)}[/]"
            else:
                result = "not modified" if f.not_modified else "ok"
            feeds.add_row(
                escape(feed_label(f.url, names.get(f.url, ""))),
                str(f.new),
                str(f.skipped),
                str(f.duplicates),
                str(f.known),
                result,
            )
        console.print(feeds)
    else:
        when = f"; next due {next_due} UTC" if next_due else ""
        console.print(f"No feed was due{when}. Add --all-feeds to poll every feed now.")
    if report.stories:
        stories = _new_table("Stories", ["id", "title", "state", "detail"])
        for row in _one_row_per_story(report.stories):
            stories.add_row(*row)
        console.print(stories)
    if report.skipped_writing:
        console.print(f"[red]Writing stopped:[/] {escape(report.skipped_writing)}")
    if report.skipped_publishing:
        console.print(f"[red]Publishing stopped:[/] {report.skipped_publishing}")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    out = _new_table(title, columns)
    for row in rows:
        out.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(out)
