"""Questions: any free text is a question, answered from the plan's knowledge for the asker's unit.

Unsure answers become "did you mean" buttons; every question is logged. Staff list the
unanswered ones (/chuatraloi) and attach one to a topic with a button or /ganchude; the
engine learns it at once and again at every start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import audit
from handlers.context import Context, Services
from handlers.router import Router, takes_args
from handlers.types import Actor, Reply
from messages.knowledge import Answer, Engine
from messages.knowledge.followups import ordinal
from messages.texts import common as common_texts
from messages.texts import questions as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime, fold
from storage import questions as store
from storage.models import QuestionLog, utcnow

log = logging.getLogger("agency_bot.questions")
LIST_LIMIT = 5
ATTACH_CHOICES = 2
GUESS_AT = 0.15  # a topic the engine rates below this is no useful guess for staff
FOLLOW_UP = "question_follow_up"  # waiting state: the bot asked for a figure or offered topics
FOLLOW_UP_TTL = timedelta(minutes=30)  # later than this, "2" is no longer an answer to the bot


def build_engine(services: Services) -> Engine:
    """The engine for the loaded plan, with every phrasing staff taught (survives restarts)."""
    with services.store.session() as s:
        learned = store.learned(s)
    return Engine(services.plan, learned)


def engine_of(services: Services) -> Engine:
    if services.questions is None:
        services.questions = build_engine(services)
    return services.questions


def ask(services: Services, text: str, unit: UnitRecord | None, *, person_id: int | None = None,
        channel: str = "cli") -> Answer:
    """Answer one question for ``unit`` (None: a general answer) and log it."""
    answer = engine_of(services).answer(text, unit, services)
    return _logged(services, text, answer, unit, person_id, channel)


def _logged(services: Services, text: str, answer: Answer, unit: UnitRecord | None, person_id: int | None,
            channel: str) -> Answer:
    with services.store.session() as s:
        row = store.log_question(s, text=text.strip(), matched=answer.matched, score=answer.score,
                                 topic=answer.topic, channel=channel, person_id=person_id,
                                 unit_code=unit.code if unit else None, needs_review=answer.reason != "empty")
    answer.question_id = row.id
    log.info("question id=%s person=%s unit=%s matched=%s topic=%s score=%.2f reason=%s",
             answer.question_id, person_id, unit.code if unit else None, answer.matched, answer.topic,
             answer.score, answer.reason)
    services.emit("question_asked", matched=answer.matched)
    return answer


def register(router: Router) -> None:
    @router.on_text
    async def question(ctx: Context) -> list[Reply]:
        answer = ask(ctx.services, ctx.inbound.text or "", ctx.actor.unit, person_id=ctx.actor.person_id,
                     channel=ctx.actor.channel)
        if answer.asks or answer.suggestion_ids:  # the next message may answer the bot: wait for it
            ctx.set_state(FOLLOW_UP, asks=answer.asks, topics=answer.suggestion_ids, question=answer.question_id,
                          at=utcnow().isoformat())
        if not answer.suggestions:
            return [Reply(answer.answer)]
        options = [ctx.option(title, "question_topic", topic=topic_id, question=answer.question_id)
                   for title, topic_id in zip(answer.suggestions, answer.suggestion_ids)]
        return [Reply(texts.DID_YOU_MEAN_BUTTONS, options=options)]  # the buttons carry the titles

    @router.state(FOLLOW_UP)
    async def follow_up(ctx: Context) -> list[Reply] | None:
        """The message after a "did you mean" or a request for a figure: "cái thứ hai" picks a topic
        offered, "12" is the figure asked for; anything else (or later than FOLLOW_UP_TTL) is read as usual."""
        data, text = ctx.state_data, ctx.inbound.text or ""
        if ctx.inbound.file is not None or not text.strip() or _stale(data.get("at")):
            return None
        topics = list(data.get("topics") or [])
        if topics and (index := ordinal(text, len(topics))) is not None:
            ctx.clear_state()
            return _chosen(ctx, topics[index], data.get("question"))
        if data.get("asks"):
            answer = engine_of(ctx.services).follow_up(data["asks"], text, ctx.actor.unit, ctx.services)
            if answer is not None:
                ctx.clear_state()
                _logged(ctx.services, text, answer, ctx.actor.unit, ctx.actor.person_id, ctx.actor.channel)
                return [Reply(answer.answer)]
        return None

    @router.action("question_topic", role="any")
    async def chosen_topic(ctx: Context, payload: dict) -> list[Reply]:
        """A "did you mean" button: answer that topic, still reading the question's units and numbers."""
        if ctx.state == FOLLOW_UP:
            ctx.clear_state()
        return _chosen(ctx, payload.get("topic", ""), payload.get("question"))

    @router.command("chuatraloi", role="staff", description=texts.COMMAND_UNANSWERED)
    async def unanswered(ctx: Context) -> list[Reply]:
        return unanswered_replies(ctx)

    @router.command("ganchude", role="staff", description=texts.COMMAND_ATTACH)
    @takes_args
    async def attach_command(ctx: Context) -> list[Reply]:
        parts = ctx.args.split(maxsplit=1)
        engine = engine_of(ctx.services)
        if len(parts) < 2 or not parts[0].lstrip("#").isdigit():
            lines = [texts.ATTACH_USAGE] + [texts.ATTACH_TOPIC_LINE.format(id=t.id, title=t.title)
                                            for t in engine.topics.values()]
            return [Reply("\n".join(lines))]
        topic = find_topic(engine, parts[1])
        if topic is None:
            return [Reply(texts.ATTACH_NO_TOPIC.format(topic=parts[1].strip()))]
        return attach_replies(ctx, int(parts[0].lstrip("#")), topic)

    @router.action("question_attach", role="staff", once=True)
    async def attach_button(ctx: Context, payload: dict) -> list[Reply]:
        return attach_replies(ctx, int(payload["question"]), payload["topic"])

    @router.action("question_dismiss", role="staff", once=True)
    async def dismiss_button(ctx: Context, payload: dict) -> list[Reply]:
        return [Reply(dismiss(ctx.services, ctx.actor, int(payload["question"])).text)]


def _chosen(ctx: Context, topic_id: str, question_id: int | None) -> list[Reply]:
    """The answer on a topic picked among the suggestions, still reading the question's units and numbers."""
    text = ""
    if question_id:
        with ctx.db() as s:
            row = store.get(s, int(question_id))
        text = row.text if row is not None else ""
    answer = engine_of(ctx.services).answer_topic(topic_id, ctx.actor.unit, ctx.services, text)
    if answer is None:
        return [Reply(common_texts.CHOICE_EXPIRED)]
    log.info("suggestion chosen question=%s topic=%s person=%s", question_id, answer.topic, ctx.actor.person_id)
    return [Reply(answer.answer)]


def _stale(at: str | None) -> bool:
    try:
        return at is None or utcnow() - datetime.fromisoformat(at) > FOLLOW_UP_TTL
    except ValueError:
        return True


def find_topic(engine: Engine, query: str) -> str | None:
    """A topic from its id or its title as staff type it."""
    query = query.strip()
    if query in engine.topics:
        return query
    key = fold(query)
    for topic in engine.topics.values():
        if fold(topic.title) == key or topic.id == key.replace(" ", "-"):
            return topic.id
    starts = [t.id for t in engine.topics.values() if fold(t.title).startswith(key)]
    return starts[0] if len(starts) == 1 else None


@dataclass(frozen=True)
class Review:
    """One question waiting for staff: who asked, what the engine guessed, which topics to offer."""

    row: QuestionLog
    unit: UnitRecord | None
    guess: str | None  # the topic it was answered with, unsure (None: not answered)
    candidates: list[str]  # topics to attach it to, best first


def waiting_review(services: Services, limit: int) -> tuple[list[Review], int]:
    """The newest questions waiting for review (one per distinct text) and how many wait in all."""
    engine = engine_of(services)
    with services.store.session() as s:
        waiting = store.pending(s, engine.knowledge.matching.review_below, limit)
    roster = services.roster()
    out = []
    for row in waiting.rows:
        candidates = [r.topic for r in engine.rank(row.text, services)
                      if engine.topics[r.topic].kind != "small_talk" and r.score >= GUESS_AT][:ATTACH_CHOICES]
        guess = row.topic if row.matched and row.topic in engine.topics else None
        out.append(Review(row, roster.get(row.unit_code) if row.unit_code else None, guess, candidates))
    return out, waiting.total


def unanswered_replies(ctx: Context) -> list[Reply]:
    engine = engine_of(ctx.services)
    reviews, total = waiting_review(ctx.services, LIST_LIMIT)
    if not reviews:
        return [Reply(texts.UNANSWERED_NONE)]
    replies = [Reply(texts.UNANSWERED_HEADER.format(count=total))]
    for review in reviews:
        row = review.row
        status = (texts.UNANSWERED_UNSURE.format(topic=engine.topics[review.guess].title, score=row.score)
                  if review.guess else texts.UNANSWERED_MISSED.format(score=row.score))
        text = texts.UNANSWERED_ITEM.format(id=row.id, when=fmt_datetime(ctx.services.clock.business(row.created_at)),
                                            unit=review.unit.name if review.unit else texts.UNANSWERED_GUEST,
                                            text=row.text, status=status)
        options = [ctx.option(texts.ATTACH_BUTTON.format(title=engine.topics[t].title), "question_attach",
                              question=row.id, topic=t) for t in review.candidates]
        options.append(ctx.option(texts.DISMISS_BUTTON, "question_dismiss", question=row.id))
        replies.append(Reply(text, options=options))
    footer = texts.UNANSWERED_HOW
    if total > len(reviews):
        footer = f"{texts.UNANSWERED_MORE.format(more=total - len(reviews))}\n{footer}"
    replies.append(Reply(footer))
    return replies


@dataclass(frozen=True)
class Outcome:
    done: bool
    text: str  # what staff are told


def attach_replies(ctx: Context, question_id: int, topic_id: str) -> list[Reply]:
    return [Reply(attach(ctx.services, ctx.actor, question_id, topic_id).text)]


def attach(services: Services, actor: Actor, question_id: int, topic_id: str) -> Outcome:
    """Teach the engine that a question means a topic (learned at once and at every start)."""
    engine = engine_of(services)
    topic = engine.topics.get(topic_id)
    if topic is None:
        return Outcome(False, texts.ATTACH_NO_TOPIC.format(topic=topic_id))
    with services.store.session() as s:
        row, attached = store.attach(s, question_id, topic_id, actor.person_id)
    if row is None:
        return Outcome(False, texts.ATTACH_NO_QUESTION.format(id=question_id))
    if not attached:
        previous = engine.topics.get(row.attached_topic or "")
        return Outcome(False, texts.ATTACH_ALREADY.format(id=row.id, title=previous.title if previous
                                                          else row.attached_topic))
    engine.learn(topic_id, row.text.strip()[:store.MAX_TEXT])
    now = engine.answer(row.text, None, services)
    now_title = engine.topics[now.topic].title if now.topic else texts.NOT_ANSWERED_NOW
    log.info("question attached id=%s topic=%s by person=%s", row.id, topic_id, actor.person_id)
    audit.record(services, actor, "question_attached", row.unit_code, f"{row.id}: {topic_id}")
    return Outcome(True, texts.ATTACH_OK.format(id=row.id, text=row.text, title=topic.title, now=now_title))


def dismiss(services: Services, actor: Actor, question_id: int) -> Outcome:
    """Close a question without teaching anything (out of scope, spam)."""
    with services.store.session() as s:
        row = store.dismiss(s, question_id)
    if row is None:
        return Outcome(False, texts.ATTACH_NO_QUESTION.format(id=question_id))
    log.info("question dismissed id=%s by person=%s", row.id, actor.person_id)
    audit.record(services, actor, "question_dismissed", row.unit_code, str(row.id))
    return Outcome(True, texts.DISMISS_OK.format(id=row.id))
