"""The analysis report: one Assessment per Yoast check, and the two overall scores."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def score_to_rating(score: int) -> str:
    """Yoast's traffic light for a 0..9 score: >7 good, 5..7 ok, 1..4 (and below) bad.

    A score of 0 is Yoast's "feedback" (an informative result without a light)."""
    if score == 0:
        return "feedback"
    if score <= 4:
        return "bad"
    if score <= 7:
        return "ok"
    return "good"


@dataclass
class Assessment:
    id: str
    score: int
    rating: str
    text: str
    value: float | None = None

    @classmethod
    def scored(cls, id: str, score: int, text: str, value: float | None = None) -> Assessment:
        return cls(id=id, score=score, rating=score_to_rating(score), text=text, value=value)


@dataclass
class SeoReport:
    seo_score: int
    readability_score: int
    seo: list[Assessment] = field(default_factory=list)
    readability: list[Assessment] = field(default_factory=list)

    def get(self, assessment_id: str) -> Assessment | None:
        for assessment in (*self.seo, *self.readability):
            if assessment.id == assessment_id:
                return assessment
        return None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
