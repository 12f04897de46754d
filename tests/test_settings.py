import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in list(__import__("os").environ):
        if key.startswith(("TELEGRAM_", "ZALO_", "STAFF_", "DATABASE_", "BOT_CLOCK", "HTTP_", "PLAN_", "TIMEZONE")):
            monkeypatch.delenv(key, raising=False)


def test_defaults_need_nothing():
    s = load_settings()
    assert not s.telegram_enabled and not s.zalo_enabled
    assert s.timezone == "Asia/Ho_Chi_Minh" and s.http_port == 8080
    assert s.resolved_database_url().startswith("sqlite:///")


def test_values_are_typed(monkeypatch):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "111, 222")
    monkeypatch.setenv("STAFF_ZALO_IDS", "8460839582830000000001")
    monkeypatch.setenv("BOT_CLOCK_START", "2020-09-29T07:59:40+07:00")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz0123456789AB")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    s = load_settings()
    assert s.staff_telegram_ids == [111, 222]
    assert s.staff_zalo_ids == ["8460839582830000000001"]
    assert s.bot_clock_start.hour == 7
    assert "abcdef" not in repr(s) and "abcdef" not in str(s.telegram_bot_token)
    assert s.resolved_database_url() == "postgresql+psycopg://u@h/db"


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("HTTP_PORT=9999\nSTAFF_TELEGRAM_IDS=5\n", encoding="utf-8")
    s = load_settings()
    assert s.http_port == 9999 and s.staff_telegram_ids == [5]


@pytest.mark.parametrize("name,value,needle", [
    ("HTTP_PORT", "tám nghìn", "HTTP_PORT"),
    ("STAFF_TELEGRAM_IDS", "abc", "STAFF_TELEGRAM_IDS"),
    ("BOT_CLOCK_START", "29/9/2020", "BOT_CLOCK_START"),
    ("TIMEZONE", "Asia/Hanoi_City", "TIMEZONE"),
    ("TELEGRAM_BOT_TOKEN", "changeme", "giá trị mẫu"),
    ("TELEGRAM_BOT_TOKEN", "<your-token>", "giá trị mẫu"),
])
def test_bad_values_stop_with_one_sentence(monkeypatch, name, value, needle):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert needle in message and "\n" not in message and "Traceback" not in message


def test_webhook_mode_requires_a_strong_secret(monkeypatch):
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.gov.vn/telegram/webhook")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings()
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cr3t_value-long-enough")
    assert load_settings().telegram_webhook_url


def test_zalo_needs_all_its_variables(monkeypatch):
    monkeypatch.setenv("ZALO_APP_ID", "123")
    with pytest.raises(SettingsError, match="ZALO_APP_SECRET"):
        load_settings()


def test_cli_prints_the_sentence_not_a_traceback(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("HTTP_PORT", "abc")
    assert main(["plan", "show"]) == 2
    err = capsys.readouterr().err
    assert "HTTP_PORT" in err and "Traceback" not in err


def test_a_copied_env_example_starts(tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    s = load_settings()
    assert s.plan_file is None and s.bot_clock_start is None and not s.telegram_enabled
    assert s.zalo_file_hosts[0] == ".zadn.vn"
