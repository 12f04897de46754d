"""What every page shares: the services, the templates, the cookie policy and one-shot notices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.web.render import environment, render
from handlers.context import Services
from messages.texts import web as texts

PREFIX = "/web"
CHANNEL = "web"  # the web pages' name as a channel: audit entries, file limits
FORM_MARGIN = 1024 * 1024


@dataclass
class Site:
    services: Services
    secure_cookies: bool = False  # the public URL is https: cookies only travel over TLS
    env: Environment = None  # type: ignore[assignment]
    _notices: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        if self.env is None:
            self.env = environment(self.services.tz, self.services.plan)

    @property
    def max_body(self) -> int:
        """The largest form accepted: a notice's attachment at the web's file limit, and the fields."""
        return self.services.file_limit(CHANNEL) + FORM_MARGIN

    # ---- notices shown once on the next page (post/redirect/get) ----------------------------
    def notice(self, session_key: str, text: str, kind: str = "ok") -> None:
        self._notices[session_key].append((kind, text))

    def take_notices(self, session_key: str) -> list[tuple[str, str]]:
        return self._notices.pop(session_key, [])

    # ---- pages ---------------------------------------------------------------------------
    def page(self, request: Request, template: str, *, staff: Any = None, status: int = 200,
             **context: Any) -> HTMLResponse:
        services = self.services
        plan = services.plan
        html = render(self.env, template, request=request, staff=staff, prefix=PREFIX, plan=plan,
                      coordinator=plan.unit_name(plan.coordinator), now=services.clock.now(),
                      tz=services.tz.key, notices=self.take_notices(staff.key) if staff else [], **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def refusal(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.message(request, status, message, title=texts.ERROR_TITLE)

    def message(self, request: Request, status: int, message: str, *, title: str) -> HTMLResponse:
        return self.page(request, "message.html", status=status, title=title, message=message)
