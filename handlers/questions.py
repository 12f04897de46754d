"""Questions: any free text is a question, answered from the plan's knowledge for the asker's unit.

Unsure answers become "did you mean" buttons; every question is logged. Staff list the
unanswered ones (/chuatraloi) and attach one to a topic with a button or /ganchude; the
engine learns it at once and again at every start.
"""

from __future__ import annotations

import logging

from handlers.context import Context, Services
from handlers.router import Router, takes_args
from handlers.types import Reply
from messages.knowledge import Answer, Engine
from messages.texts import common as common_texts
from messages.texts import questions as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime, fold
from storage import questions as store

log = logging.getLogger("agency_bot.questions")
LIST_LIMIT = 5
ATTACH_CHOICES = 2
GUESS_AT = 0.15  # a topic the engine rates below this is no useful guess for staff


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
        if not answer.suggestions:
            return [Reply(answer.answer)]
        options = [ctx.option(title, "question_topic", topic=topic_id, question=answer.question_id)
                   for title, topic_id in zip(answer.suggestions, answer.suggestion_ids)]
        return [Reply(texts.DID_YOU_MEAN_BUTTONS, options=options)]  # the buttons carry the titles

    @router.action("question_topic", role="any")
    async def chosen_topic(ctx: Context, payload: dict) -> list[Reply]:
        """A "did you mean" button: answer that topic, still reading the question's units and numbers."""
        text = ""
        if payload.get("question"):
            with ctx.db() as s:
                row = store.get(s, int(payload["question"]))
            text = row.text if row is not None else ""
        answer = engine_of(ctx.services).answer_topic(payload.get("topic", ""), ctx.actor.unit, ctx.services, text)
        if answer is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        log.info("suggestion chosen question=%s topic=%s person=%s", payload.get("question"), answer.topic,
                 ctx.actor.person_id)
        return [Reply(answer.answer)]

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
        with ctx.db() as s:
            row = store.dismiss(s, int(payload["question"]))
        if row is None:
            return [Reply(texts.ATTACH_NO_QUESTION.format(id=payload["question"]))]
        log.info("question dismissed id=%s by person=%s", row.id, ctx.actor.person_id)
        return [Reply(texts.DISMISS_OK.format(id=row.id))]


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


def unanswered_replies(ctx: Context) -> list[Reply]:
    engine = engine_of(ctx.services)
    with ctx.db() as s:
        waiting = store.pending(s, engine.knowledge.matching.review_below, LIST_LIMIT)
    if not waiting.rows:
        return [Reply(texts.UNANSWERED_NONE)]
    replies = [Reply(texts.UNANSWERED_HEADER.format(count=waiting.total))]
    roster = ctx.services.roster()
    for row in waiting.rows:
        unit = roster.get(row.unit_code) if row.unit_code else None
        topic = engine.topics.get(row.topic or "")
        status = (texts.UNANSWERED_UNSURE.format(topic=topic.title, score=row.score) if row.matched and topic
                  else texts.UNANSWERED_MISSED.format(score=row.score))
        text = texts.UNANSWERED_ITEM.format(id=row.id, when=fmt_datetime(row.created_at.astimezone(ctx.services.tz)),
                                            unit=unit.name if unit else texts.UNANSWERED_GUEST, text=row.text,
                                            status=status)
        candidates = [s.topic for s in engine.rank(row.text, ctx.services)
                      if engine.topics[s.topic].kind != "small_talk" and s.score >= GUESS_AT][:ATTACH_CHOICES]
        options = [ctx.option(texts.ATTACH_BUTTON.format(title=engine.topics[t].title), "question_attach",
                              question=row.id, topic=t) for t in candidates]
        options.append(ctx.option(texts.DISMISS_BUTTON, "question_dismiss", question=row.id))
        replies.append(Reply(text, options=options))
    footer = texts.UNANSWERED_HOW
    if waiting.total > len(waiting.rows):
        footer = f"{texts.UNANSWERED_MORE.format(more=waiting.total - len(waiting.rows))}\n{footer}"
    replies.append(Reply(footer))
    return replies


def attach_replies(ctx: Context, question_id: int, topic_id: str) -> list[Reply]:
    engine = engine_of(ctx.services)
    topic = engine.topics.get(topic_id)
    if topic is None:
        return [Reply(texts.ATTACH_NO_TOPIC.format(topic=topic_id))]
    with ctx.db() as s:
        row, attached = store.attach(s, question_id, topic_id, ctx.actor.person_id)
    if row is None:
        return [Reply(texts.ATTACH_NO_QUESTION.format(id=question_id))]
    if not attached:
        previous = engine.topics.get(row.attached_topic or "")
        return [Reply(texts.ATTACH_ALREADY.format(id=row.id, title=previous.title if previous else row.attached_topic))]
    engine.learn(topic_id, row.text.strip()[:store.MAX_TEXT])
    now = engine.answer(row.text, None, ctx.services)
    now_title = engine.topics[now.topic].title if now.topic else texts.NOT_ANSWERED_NOW
    log.info("question attached id=%s topic=%s by person=%s", row.id, topic_id, ctx.actor.person_id)
    return [Reply(texts.ATTACH_OK.format(id=row.id, text=row.text, title=topic.title, now=now_title))]
