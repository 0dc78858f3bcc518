"""The featured image: downloaded from the source, uploaded with French alt text and credit.

A failed image never blocks the draft: it becomes a warning on it.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.errors import PublishError
from bot.net.http import FetchError, retry_fetch
from bot.net.limits import Limits
from bot.net.retry import BRIEF
from bot.publish.wordpress.content import source_name
from bot.publish.wordpress.transport import MediaFile, Transport
from bot.story import Submission

log = logging.getLogger(__name__)

_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def featured_image(
    transport: Transport,
    limits: Limits,
    submission: Submission,
    warnings: list[str],
) -> int | None:
    """The attachment id of the story's image, or None with a warning added.

    An image already uploaded from the same URL (by any story) is reused: the site's
    media library keeps one copy of each agency photo."""
    url = submission.image_url or ""
    try:
        known = transport.find_media(url)
        if known is not None:
            log.info("wordpress: image %s already in the media library (%s)", url, known)
            return known
        content, mime = _download(url, limits)
        return transport.upload_media(
            MediaFile(
                filename=_filename(url, mime, submission.draft.slug),
                mime=mime,
                content=content,
                alt=alt_text(submission),
                caption=caption(submission),
                source_url=url,
            )
        )
    except (FetchError, PublishError, ValueError) as error:
        log.warning("wordpress: image of story %s not set: %s", submission.story_uid, error)
        warnings.append(f"image à la une non posée ({url}) : {error}")
        return None


def alt_text(submission: Submission) -> str:
    return f"Illustration : {submission.draft.title}"


def caption(submission: Submission) -> str:
    credit = (submission.image_credit or "").strip() or source_name(submission.primary)
    return f"Crédit : {credit}"


def _download(url: str, limits: Limits) -> tuple[bytes, str]:
    response = retry_fetch(url, limits=limits, policy=BRIEF, headers={"Accept": "image/*"})
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if mime not in _IMAGE_TYPES:
        mime = mimetypes.guess_type(urlsplit(url).path)[0] or mime
    if mime not in _IMAGE_TYPES:
        raise ValueError(f"not an image WordPress accepts ({mime or 'no type'})")
    if not response.content:
        raise ValueError("empty image")
    return response.content, mime


def _filename(url: str, mime: str, slug: str) -> str:
    """An ASCII file name with the right extension: the slug reads better than a hash."""
    stem = re.sub(r"[^a-z0-9-]+", "-", (slug or PurePosixPath(urlsplit(url).path).stem).lower())
    extension = {"image/jpeg": ".jpg"}.get(mime) or mimetypes.guess_extension(mime) or ""
    return (stem.strip("-")[:80] or "image") + extension
