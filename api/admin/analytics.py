"""Usage analytics for the admin console, computed from the turn log and ratings.

Days are counted in Vietnam time (UTC+7, no daylight saving). Button payloads
(``/intent…``) are not questions and are left out. Unanswered questions are
grouped by normalised, accent-folded text so variants of one question add up.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from api.auth.models import as_utc
from api.db_models import RatingRow, TurnRow
from knowledge_base.db import utcnow
from knowledge_base.errors import NotFoundError
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import fold, normalize

LOCAL_TZ = timezone(timedelta(hours=7))
OUTCOMES = {"answer": "answered", "faq": "answered", "clarify": "clarified",
            "not_found": "not_found", "handoff": "handed_off"}
OUTCOME_ORDER = ("answered", "clarified", "not_found", "handed_off", "other")
UNANSWERED_DECISION = "not_found"


def _local_day(value: datetime) -> date:
    return as_utc(value).astimezone(LOCAL_TZ).date()


def question_key(text: str) -> str:
    """Return the grouping key of a question: normalised, accent-folded text."""
    return fold(normalize(text))


class AnalyticsService:
    """Aggregates over a window of days ending today."""

    def __init__(self, sessions: sessionmaker, kb: KnowledgeBase) -> None:
        self.sessions = sessions
        self.kb = kb

    def report(self, days: int = 30, top: int = 10) -> dict[str, Any]:
        """Questions per day, outcome shares, CSAT, top procedures, top unanswered questions."""
        days = max(1, min(days, 366))
        today = utcnow().astimezone(LOCAL_TZ).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), LOCAL_TZ).astimezone(timezone.utc)
        with self.sessions() as session:
            turns = session.execute(select(TurnRow.at, TurnRow.text, TurnRow.decision,
                                           TurnRow.procedure).where(TurnRow.at >= since)).all()
            scores = list(session.scalars(select(RatingRow.score).where(RatingRow.at >= since)))
        questions = [t for t in turns if not (t.text or "").startswith("/")]
        return {
            "days": days, "from": first.isoformat(), "to": today.isoformat(),
            "questions_total": len(questions),
            "per_day": self._per_day(questions, first, days),
            "outcomes": self._outcomes(questions),
            "satisfaction": satisfaction(scores),
            "top_procedures": self._top_procedures(turns, top),
            "unanswered": top_unanswered(questions, top),
        }

    @staticmethod
    def _per_day(questions: list, first: date, days: int) -> list[dict[str, Any]]:
        counts = Counter(_local_day(t.at) for t in questions)
        return [{"date": (first + timedelta(days=i)).isoformat(),
                 "count": counts.get(first + timedelta(days=i), 0)} for i in range(days)]

    @staticmethod
    def _outcomes(questions: list) -> dict[str, Any]:
        counts = Counter(OUTCOMES.get(t.decision or "", "other") for t in questions)
        total = sum(counts.values())
        return {name: {"count": counts.get(name, 0),
                       "share": round(counts.get(name, 0) / total, 4) if total else 0.0}
                for name in OUTCOME_ORDER}

    def _top_procedures(self, turns: list, top: int) -> list[dict[str, Any]]:
        counts = Counter(t.procedure for t in turns if t.procedure)
        return [{"code": code, "name": self._procedure_name(code), "count": count}
                for code, count in counts.most_common(top)]

    def _procedure_name(self, code: str) -> str:
        try:
            return self.kb.procedure(code).name
        except NotFoundError:
            return ""


def satisfaction(scores: list[int]) -> dict[str, Any]:
    """Rating count, average, CSAT (share of 4–5) and the 1–5 distribution."""
    valid = [s for s in scores if 1 <= s <= 5]
    distribution = Counter(valid)
    return {
        "count": len(valid),
        "average": round(sum(valid) / len(valid), 2) if valid else None,
        "csat": round(sum(1 for s in valid if s >= 4) / len(valid), 4) if valid else None,
        "distribution": {str(score): distribution.get(score, 0) for score in range(1, 6)},
    }


def top_unanswered(questions: list, top: int) -> list[dict[str, Any]]:
    """Not-found questions grouped by normalised text, most frequent first."""
    groups: dict[str, list] = {}
    for turn in questions:
        if turn.decision == UNANSWERED_DECISION and (turn.text or "").strip():
            groups.setdefault(question_key(turn.text), []).append(turn)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]),
                                                      -max(as_utc(t.at).timestamp()
                                                           for t in item[1])))
    result = []
    for key, members in ranked[:top]:
        example = Counter(" ".join(t.text.split()) for t in members).most_common(1)[0][0]
        result.append({"key": key, "text": example, "count": len(members),
                       "last_at": max(as_utc(t.at) for t in members).isoformat()})
    return result
