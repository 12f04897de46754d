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
