"""``python -m bot.healthcheck``: exit 0 when this container's ``/healthz`` answers 200 (Docker's HEALTHCHECK).

Plain urllib, so the check costs a fraction of a second and nothing the bot does not ship.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8080')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError):  # 503 (database down), refused, timed out
        return 1


if __name__ == "__main__":
    sys.exit(main())
