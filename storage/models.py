"""SQLModel tables: the store is the bot's memory and the truth for reminders.

All instants are stored in UTC (``UTCDateTime``) and shown in the bot's time zone.
Ids from chat platforms are text: Zalo's are too large for 64-bit integers.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Unit(SQLModel, table=True):
    """Every unit the bot knows: the plan's roster, plus units staff imported or confirmed."""

    __tablename__ = "unit"

    code: str = Field(primary_key=True, max_length=160)
    name: str = Field(max_length=300)
    level: str = Field(max_length=40, index=True)  # one of the plan's levels
    parent_code: Optional[str] = Field(default=None, foreign_key="unit.code", max_length=160)
    inspected: bool = False  # inspected directly: the plan lists it, or staff chose it (staff_selected)
    staff_selected: bool = False  # chosen by staff at run time (a date for a candidate, a confirmed addition)
    source: str = Field(default="plan", max_length=20)  # plan | staff | import
    created_at: datetime = _ts(default_factory=utcnow)


class Person(SQLModel, table=True):
    """Someone who talks to the bot on one channel; focal point of one unit, or staff."""

    __tablename__ = "person"

    __table_args__ = (sa.UniqueConstraint("channel", "external_id", name="uq_person_channel_external"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)  # telegram | zalo | console
    external_id: str = Field(max_length=64)  # the platform's user id, as text
    chat_id: str = Field(max_length=64)  # where messages to this person go
    unit_code: Optional[str] = Field(default=None, foreign_key="unit.code", max_length=160, index=True)
    role: str = Field(default="guest", max_length=10)  # guest | focal | staff
    display_name: Optional[str] = Field(default=None, max_length=200)
    active: bool = True  # false once the person blocked the bot or unfollowed the OA
    registered_at: Optional[datetime] = _ts(default=None)
    created_at: datetime = _ts(default_factory=utcnow)


class InviteCode(SQLModel, table=True):
    """A one-time registration code; only its hash is kept."""

    __tablename__ = "invite_code"

    id: Optional[int] = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    unit_code: str = Field(foreign_key="unit.code", max_length=160)
    created_by: Optional[int] = Field(default=None, foreign_key="person.id")
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()  # real time, not the business clock
    used_at: Optional[datetime] = _ts(default=None)
    used_by: Optional[int] = Field(default=None, foreign_key="person.id")


class InviteAttempt(SQLModel, table=True):
    """A wrong invite code, by whom and in which chat: guessing is throttled on these (real time)."""

    __tablename__ = "invite_attempt"
    __table_args__ = (sa.Index("ix_invite_attempt_scope_at", "scope", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=120)  # "person:<id>" or "chat:<channel>:<chat id>"
    at: datetime = _ts(default_factory=utcnow)


class InspectionVisit(SQLModel, table=True):
    """The date staff set for a unit's direct inspection (III.2: Sở Nội vụ announces it)."""

    __tablename__ = "inspection_visit"

    unit_code: str = Field(primary_key=True, foreign_key="unit.code", max_length=160)
    starts_at: datetime = _ts()
    set_by: Optional[int] = Field(default=None, foreign_key="person.id")
    set_at: datetime = _ts(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """One received file for one deliverable; a newer version points back through ``superseded_by``."""

    __tablename__ = "submission"

    __table_args__ = (sa.Index("ix_submission_unit_deliverable", "unit_code", "deliverable_id"),
                      # who sent something for a deliverable (reminder planning): read from the index alone
                      sa.Index("ix_submission_deliverable_unit", "deliverable_id", "unit_code"))

    id: Optional[int] = Field(default=None, primary_key=True)
    receipt_no: str = Field(max_length=40, unique=True)
    unit_code: str = Field(foreign_key="unit.code", max_length=160)
    deliverable_id: str = Field(max_length=80)
    person_id: Optional[int] = Field(default=None, foreign_key="person.id")
    channel: str = Field(max_length=20)
    original_name: str = Field(max_length=255)
    stored_path: str = Field(max_length=500)  # relative to DATA_DIR/files
    sha256: str = Field(max_length=64, index=True)
    size: int
    detected_type: str = Field(max_length=20)  # pdf, docx, xlsx, zip, jpg ...
    received_at: datetime = _ts()  # business clock
    on_time: bool
    superseded_by: Optional[int] = Field(default=None, foreign_key="submission.id")
    # what the file's content looks like: {"status", "flags", ...} (handlers/content_check.py); None: not checked
    content_check: Optional[dict] = Field(default=None, sa_type=sa.JSON)


class Broadcast(SQLModel, table=True):
    """A staff notice: its audience, text and the delivery summary."""

    __tablename__ = "broadcast"

    id: Optional[int] = Field(default=None, primary_key=True)
    created_by: Optional[int] = Field(default=None, foreign_key="person.id")
    audience: dict = Field(default_factory=dict, sa_type=sa.JSON)  # {"kind": "...", ...}
    audience_label: str = Field(default="", max_length=300)
    text: str = Field(sa_type=sa.Text)
    document_path: Optional[str] = Field(default=None, max_length=500)
    document_name: Optional[str] = Field(default=None, max_length=255)
    status: str = Field(default="draft", max_length=20)  # draft | sending | done | cancelled
    created_at: datetime = _ts(default_factory=utcnow)
    confirmed_at: Optional[datetime] = _ts(default=None)
    finished_at: Optional[datetime] = _ts(default=None)
    summary_sent: bool = False


class OutgoingMessage(SQLModel, table=True):
    """The outbox: one row per recipient and message; ``key`` makes a second copy impossible."""

    __tablename__ = "outgoing_message"
    __table_args__ = (sa.Index("ix_outgoing_due", "status", "due_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)  # e.g. reminder:unit:deliverable:-7:person
    kind: str = Field(max_length=20)  # reminder | broadcast | notice
    person_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    channel: Optional[str] = Field(default=None, max_length=20)
    chat_id: Optional[str] = Field(default=None, max_length=64)
    unit_code: Optional[str] = Field(default=None, foreign_key="unit.code", max_length=160)
    deliverable_id: Optional[str] = Field(default=None, max_length=80)
    broadcast_id: Optional[int] = Field(default=None, foreign_key="broadcast.id", index=True)
    text: str = Field(sa_type=sa.Text)
    options: Optional[list] = Field(default=None, sa_type=sa.JSON)  # [{"label", "choice_id"}]: buttons to show
    document_path: Optional[str] = Field(default=None, max_length=500)
    document_name: Optional[str] = Field(default=None, max_length=255)
    due_at: datetime = _ts()  # business clock
    # pending | sending | sent | uncertain (handed over, no answer) | failed | cancelled | undeliverable
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    claimed_by: Optional[str] = Field(default=None, max_length=80)  # the process that took it for sending
    claimed_at: Optional[datetime] = _ts(default=None)  # real clock
    next_attempt_at: Optional[datetime] = _ts(default=None)  # real clock (backoff, retry_after)
    last_error: Optional[str] = Field(default=None, max_length=500)
    sent_at: Optional[datetime] = _ts(default=None)
    created_at: datetime = _ts(default_factory=utcnow)


class QuestionLog(SQLModel, table=True):
    """Every question asked; the unanswered and unsure ones are reviewed by staff."""

    __tablename__ = "question_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: Optional[int] = Field(default=None, foreign_key="person.id")
    channel: str = Field(max_length=20)
    unit_code: Optional[str] = Field(default=None, max_length=160)
    text: str = Field(sa_type=sa.Text)
    matched: bool
    score: float
    topic: Optional[str] = Field(default=None, max_length=80)
    created_at: datetime = _ts(default_factory=utcnow)
    reviewed_at: Optional[datetime] = _ts(default=None)
    attached_topic: Optional[str] = Field(default=None, max_length=80)


class LearnedPhrasing(SQLModel, table=True):
    """A phrasing staff attached to a topic: the index learns it without a code change."""

    __tablename__ = "learned_phrasing"

    __table_args__ = (sa.UniqueConstraint("topic", "text", name="uq_phrasing_topic_text"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    topic: str = Field(max_length=80)
    text: str = Field(max_length=1000)
    question_id: Optional[int] = Field(default=None, foreign_key="question_log.id")
    created_by: Optional[int] = Field(default=None, foreign_key="person.id")
    created_at: datetime = _ts(default_factory=utcnow)


class Choice(SQLModel, table=True):
    """A button offered to someone: the callback carries only this id, the meaning stays here."""

    __tablename__ = "choice"

    id: str = Field(primary_key=True, max_length=24)
    person_id: int = Field(foreign_key="person.id", index=True)
    group_id: Optional[str] = Field(default=None, max_length=24, index=True)  # the buttons of one reply
    action: str = Field(max_length=40)
    payload: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = _ts(default_factory=utcnow)
    used_at: Optional[datetime] = _ts(default=None)


class ConversationState(SQLModel, table=True):
    """What the bot is waiting for from a person (a file, a notice text…); survives restarts."""

    __tablename__ = "conversation_state"

    person_id: int = Field(primary_key=True, foreign_key="person.id")
    state: str = Field(max_length=40)
    data: dict = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = _ts(default_factory=utcnow)


class ClockAnchor(SQLModel, table=True):
    """When business time was at ``start`` (``BOT_CLOCK_START``), in real time: written by the first process
    that starts with that value, read by every other one and by restarts, so that all processes show one
    business time and it never runs backwards."""

    __tablename__ = "clock_anchor"

    start: datetime = _ts(primary_key=True)
    real_at: datetime = _ts()


class ProcessedEvent(SQLModel, table=True):
    """Inbound events already handled (Zalo retries a webhook it thinks failed)."""

    __tablename__ = "processed_event"

    channel: str = Field(primary_key=True, max_length=20)
    event_id: str = Field(primary_key=True, max_length=100)
    received_at: datetime = _ts(default_factory=utcnow)


class OAuthToken(SQLModel, table=True):
    """The Zalo OA token pair; the refresh token is single-use, so the newest pair lives here."""

    __tablename__ = "oauth_token"

    provider: str = Field(primary_key=True, max_length=20)
    access_token: str = Field(sa_type=sa.Text)
    refresh_token: str = Field(sa_type=sa.Text)
    expires_at: datetime = _ts()  # real time
    updated_at: datetime = _ts(default_factory=utcnow)
    broken: bool = False  # refresh failed: the OA needs re-authorisation


# ---- the staff web pages (bot/web/) ---------------------------------------------------------
class WebSignInLink(SQLModel, table=True):
    """A one-time sign-in link for one staff member; only the hash of its token is kept."""

    __tablename__ = "web_signin_link"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()  # real time, not the business clock
    used_at: Optional[datetime] = _ts(default=None)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random token, the store keeps its hash."""

    __tablename__ = "web_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()  # real time
    ended_at: Optional[datetime] = _ts(default=None)  # signed out


class AuditEntry(SQLModel, table=True):
    """One staff action, from the web pages or the chat: who, through what, what, on which unit, when."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_unit_at", "unit_code", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=utcnow)  # real time: when it was done
    person_id: Optional[int] = Field(default=None, foreign_key="person.id")  # None: an operator's command line
    via: str = Field(max_length=20)  # web | telegram | zalo | console | cli
    action: str = Field(max_length=40)  # handlers/audit.py ACTIONS
    unit_code: Optional[str] = Field(default=None, max_length=160)
    detail: str = Field(default="", max_length=500)  # data, not prose: a date, a topic id, a count
