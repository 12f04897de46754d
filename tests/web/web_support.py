"""A test browser for the web pages: Starlette's test client plus the steps a person takes."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from handlers.web_signin import issue_link
from storage import people, web_auth
from bot.web.auth import COOKIE

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


class Browser:
    def __init__(self, app, services):
        self.services = services
        self.client = TestClient(app, base_url="http://testserver", follow_redirects=False)

    def __enter__(self) -> "Browser":
        self.client.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.client.__exit__(*exc)

    def link_for(self, channel: str, external_id: str) -> str:
        """A sign-in link, as /web gives it (the person is created if new)."""
        with self.services.store.session() as s:
            person = people.ensure(s, channel, external_id)
        return issue_link(self.services, None, person.id).url

    def sign_in(self, channel: str = "telegram", external_id: str = "9001"):
        url = self.link_for(channel, external_id)
        page = self.client.get(url)
        assert page.status_code == 200, page.text
        token = url.rsplit("/", 1)[1]
        done = self.client.post("/web/signin", data={"token": token})
        assert done.status_code == 303 and done.headers["location"] == "/web/", done.text
        return done

    @property
    def csrf(self) -> str:
        return web_auth.csrf_token(self.client.cookies[COOKIE])

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.csrf)
        return self.client.post(path, data=data, **kw)

    def follow(self, response):
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return self.client.get(response.headers["location"])


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, entities of quotes undone, spaces squeezed."""
    import html as html_lib

    plain = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html_lib.unescape(plain).split())
