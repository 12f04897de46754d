"""Nothing secret reaches the log, not even inside a traceback."""

import logging

from bot.logs import RedactingFormatter

TOKEN = "7000000001:" + "AAH" + "fake" * 8 + "12"  # token-shaped, built so no scanner mistakes it for a real one


def test_tokens_and_known_secrets_are_masked_in_messages_and_tracebacks():
    formatter = RedactingFormatter("%(message)s", secrets=["zalo-refresh-secret-value"])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "refresh %s", ("zalo-refresh-secret-value",),
                                   exc_info=__import__("sys").exc_info())
    text = formatter.format(record)
    assert TOKEN not in text and "zalo-refresh-secret-value" not in text
    assert "***" in text and "RuntimeError" in text


def test_json_lines_carry_the_fields_and_mask_secrets(capsys):
    import json

    from bot.logs import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO", ["zalo-refresh-secret-value"], "json")
        log = logging.getLogger("agency_bot.sender")
        log.warning("row=%s kind=%s: no answer from %s", 42, "reminder", "telegram", extra={"attempt": 2})
        try:
            raise RuntimeError(f"refresh zalo-refresh-secret-value via https://x/bot{TOKEN}/getMe")
        except RuntimeError:
            log.exception("person=%s failed", 7)
    finally:
        root.handlers[:], root.level = saved
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines)  # one object per line
    assert first["level"] == "WARNING" and first["logger"] == "agency_bot.sender"
    assert first["message"] == "row=42 kind=reminder: no answer from telegram"
    assert (first["row"], first["kind"], first["attempt"]) == ("42", "reminder", 2)
    assert first["time"].endswith("+00:00")
    assert second["person"] == "7" and "RuntimeError" in second["exception"]
    assert "zalo-refresh-secret-value" not in lines[1] and TOKEN not in lines[1]
