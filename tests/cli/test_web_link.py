"""``agency-bot web-link``: a one-time sign-in link on the last line, for a configured staff member only."""

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.app import build_services
from bot.cli import main
from bot.settings import load_settings
from bot.web import web_routes


def test_web_link_prints_a_working_one_time_link_on_its_last_line(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "9001,9002")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.gov.vn/")
    assert main(["web-link", "--staff", "9002"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "Telegram 9002" in lines[0] and "10 phút" in lines[0]
    url = lines[-1]
    assert url.startswith("https://bot.example.gov.vn/web/signin/")

    # the link signs in at the bot's HTTP endpoint, once
    services = build_services(load_settings())
    with TestClient(Starlette(routes=web_routes(services)), base_url="https://bot.example.gov.vn") as client:
        token = url.rsplit("/", 1)[1]
        assert client.post("/web/signin", data={"token": token}, follow_redirects=False).status_code == 303
        assert client.get("/web/").status_code == 200
        assert client.post("/web/signin", data={"token": token}, follow_redirects=False).status_code == 410
    services.store.dispose()


def test_web_link_defaults_to_the_first_staff_member(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "9001")
    assert main(["web-link"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert "Telegram 9001" in out[0] and out[-1].startswith("http://127.0.0.1:8080/web/signin/")


def test_web_link_refuses_someone_not_on_the_staff_list(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "9001")
    assert main(["web-link", "--staff", "12345"]) == 2
    assert "12345" in capsys.readouterr().err
    monkeypatch.delenv("STAFF_TELEGRAM_IDS")
    assert main(["web-link"]) == 2
    assert "STAFF_TELEGRAM_IDS" in capsys.readouterr().err
