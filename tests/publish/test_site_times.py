"""The times WordPress gives back, as the decisions sync reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.publish.wordpress.transport import changed_post


def entry(modified_gmt: str) -> dict[str, object]:
    return {
        "id": 7,
        "status": "draft",
        "modified": "2026-12-02T10:42:00",
        "modified_gmt": modified_gmt,
        "content": "<p>Texte</p>",
        "meta": {"depeche_story_id": "abc"},
    }


def test_a_gmt_time_is_read_as_utc():
    post = changed_post(entry("2026-12-02T09:42:00"))
    assert post.modified_gmt == datetime(2026, 12, 2, 9, 42, tzinfo=UTC)
    assert post.modified == "2026-12-02T10:42:00"


def test_the_zero_date_of_a_draft_is_dated_when_seen():
    """WordPress keeps '0000-00-00 00:00:00' in a draft's GMT column, read back as
    '-0001-11-30T00:00:00': not a crash of the sync, the change is dated now."""
    post = changed_post(entry("-0001-11-30T00:00:00"))
    assert abs(post.modified_gmt - datetime.now(UTC)) < timedelta(minutes=1)
