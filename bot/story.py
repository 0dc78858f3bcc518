"""The story's shapes, shared by every stage, at the bottom of the import graph
(this module imports no stage, nor SQLAlchemy: `depeche --help` reads it)."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    NEW = "new"
    WRITTEN = "written"
    PUBLISHED = "published"
    HELD = "held"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
