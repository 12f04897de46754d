"""Questions the bot could not answer (or answered unsure): attach one to a topic in one click,
or dismiss it; and what people ask most. Attaching is ``handlers.questions.attach``, the
/ganchude path: the engine learns the phrasing at once and again at every start."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.render import render
from bot.web.site import PREFIX, Site
from handlers import questions
from messages.texts import web as texts
from storage import questions as store

SHOWN = 50
MOST = 10


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    engine = questions.engine_of(services)
    reviews, total = questions.waiting_review(services, SHOWN)
    with services.store.session() as s:
        topics = store.most_asked_topics(s, MOST)
        repeated = store.most_repeated(s, MOST)
    choosable = [topic for topic in engine.topics.values() if topic.kind != "small_talk"]
    return site.page(request, "questions.html", staff=staff, title=texts.QUESTIONS_TITLE, nav="questions",
                     reviews=reviews, total=total, topics=engine.topics, choosable=choosable,
                     most_topics=topics, repeated=repeated)


def _done(request: Request, site: Site, staff: Staff, question_id: int, outcome: questions.Outcome) -> Response:
    """htmx swaps the question's card for the outcome; a plain form post returns to the list."""
    if request.headers.get("hx-request"):
        return HTMLResponse(render(site.env, "question_done.html", question_id=question_id, outcome=outcome),
                            headers={"Cache-Control": "no-store"})
    site.notice(staff.key, outcome.text, "ok" if outcome.done else "error")
    return RedirectResponse(f"{PREFIX}/questions", status_code=303)


@staff_page
async def attach(request: Request, site: Site, staff: Staff) -> Response:
    form = await request.form()
    question_id = request.path_params["id"]
    topic = str(form.get("topic", ""))[:80]
    if not topic:
        raise HTTPException(400)
    return _done(request, site, staff, question_id, questions.attach(site.services, staff.actor, question_id, topic))


@staff_page
async def dismiss(request: Request, site: Site, staff: Staff) -> Response:
    question_id = request.path_params["id"]
    return _done(request, site, staff, question_id, questions.dismiss(site.services, staff.actor, question_id))


routes = [
    Route("/questions", page, methods=["GET"]),
    Route("/questions/{id:int}/attach", attach, methods=["POST"]),
    Route("/questions/{id:int}/dismiss", dismiss, methods=["POST"]),
]
