"""The question log and the phrasings staff taught the bot.

Every question is logged with the engine's verdict; the unanswered and unsure ones
wait for staff, who attach them to a topic (a learned phrasing, used from then on and
after restarts) or dismiss them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import LearnedPhrasing, QuestionLog, utcnow

MAX_TEXT = 1000  # learned_phrasing.text


def log_question(session: Session, *, text: str, matched: bool, score: float, topic: str | None,
                 channel: str, person_id: int | None = None, unit_code: str | None = None,
                 needs_review: bool = True) -> QuestionLog:
    """Log one question; ``needs_review=False`` (an empty "?") keeps it off staff's list."""
    row = QuestionLog(person_id=person_id, channel=channel, unit_code=unit_code, text=text, matched=matched,
                      score=float(score), topic=topic, reviewed_at=None if needs_review else utcnow())
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get(session: Session, question_id: int) -> QuestionLog | None:
    return session.get(QuestionLog, question_id)


def _pending_filter(review_below: float):
    return sa.and_(QuestionLog.reviewed_at.is_(None),
                   sa.or_(QuestionLog.matched == False, QuestionLog.score < review_below))  # noqa: E712


@dataclass
class Pending:
    rows: list[QuestionLog]  # newest first, one per distinct text
    total: int  # distinct texts waiting


def pending(session: Session, review_below: float, limit: int = 5) -> Pending:
    """Questions waiting for review: not answered, or answered with a score below ``review_below``."""
    rows = session.exec(select(QuestionLog).where(_pending_filter(review_below))
                        .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())).all()
    seen: set[str] = set()
    distinct = []
    for row in rows:
        key = " ".join(row.text.lower().split())
        if key not in seen:
            seen.add(key)
            distinct.append(row)
    return Pending(distinct[:limit], len(distinct))


def attach(session: Session, question_id: int, topic: str, by: int | None) -> tuple[QuestionLog | None, bool]:
    """Teach the bot that this question means ``topic``; (question, False) if it was already attached.

    Other waiting copies of the same text are closed with it.
    """
    question = session.get(QuestionLog, question_id)
    if question is None:
        return None, False
    if question.attached_topic is not None:
        return question, False
    text = question.text.strip()[:MAX_TEXT]
    exists = session.exec(select(LearnedPhrasing).where(LearnedPhrasing.topic == topic,
                                                        LearnedPhrasing.text == text)).first()
    if exists is None:
        session.add(LearnedPhrasing(topic=topic, text=text, question_id=question.id, created_by=by))
    now = utcnow()
    for row in session.exec(select(QuestionLog).where(QuestionLog.text == question.text,
                                                      QuestionLog.reviewed_at.is_(None))).all():
        row.reviewed_at, row.attached_topic = now, topic
        session.add(row)
    question.reviewed_at, question.attached_topic = now, topic
    session.add(question)
    session.commit()
    session.refresh(question)
    return question, True


def dismiss(session: Session, question_id: int) -> QuestionLog | None:
    """Close a question without teaching anything (out of scope, spam); its copies too."""
    question = session.get(QuestionLog, question_id)
    if question is None:
        return None
    now = utcnow()
    for row in session.exec(select(QuestionLog).where(QuestionLog.text == question.text,
                                                      QuestionLog.reviewed_at.is_(None))).all():
        row.reviewed_at = now
        session.add(row)
    session.commit()
    session.refresh(question)
    return question


def learned(session: Session) -> list[tuple[str, str]]:
    """Every (topic, text) staff taught, oldest first (the engine loads them at start)."""
    rows = session.exec(select(LearnedPhrasing).order_by(LearnedPhrasing.id)).all()
    return [(r.topic, r.text) for r in rows]


def most_asked_topics(session: Session, limit: int = 10) -> list[tuple[str, int]]:
    """The topics questions were answered with most often (what people ask most)."""
    n = sa.func.count().label("n")
    rows = session.exec(select(QuestionLog.topic, n).where(QuestionLog.matched == True,  # noqa: E712
                                                           QuestionLog.topic.is_not(None))
                        .group_by(QuestionLog.topic).order_by(n.desc(), QuestionLog.topic).limit(limit)).all()
    return [(topic, count) for topic, count in rows]


def most_repeated(session: Session, limit: int = 10) -> list[tuple[str, int, bool]]:
    """Questions asked in the same words more than once: (text, times, answered the last time)."""
    n = sa.func.count().label("n")
    rows = session.exec(select(QuestionLog.text, n, sa.func.max(QuestionLog.id))
                        .group_by(QuestionLog.text).having(n > 1).order_by(n.desc(), QuestionLog.text)
                        .limit(limit)).all()
    last = {row.id: row.matched for row in session.exec(
        select(QuestionLog).where(QuestionLog.id.in_([r[2] for r in rows]))).all()} if rows else {}
    return [(text, count, last.get(last_id, False)) for text, count, last_id in rows]
