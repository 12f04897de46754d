# agency-bot: one `agency-bot run` per container. Several containers may share one PostgreSQL
# database (compose.yaml): all serve webhooks, one leads (scheduler, sender, polling).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump/pg_restore for `agency-bot backup` on PostgreSQL (without them it exports the tables instead)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /home/bot --create-home --shell /usr/sbin/nologin bot

# the project, installed from this repository (root-owned: the bot cannot change its own code)
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY messages ./messages
COPY storage ./storage
RUN pip install ".[postgres]"

# received files (shared by the replicas), and the SQLite database when no DATABASE_URL is set
RUN mkdir -p /data && chown bot:bot /data
VOLUME ["/data"]
ENV DATA_DIR=/data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080

USER bot
EXPOSE 8080
# 200 only while the database answers (bot/health.py)
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-m", "bot.healthcheck"]
CMD ["agency-bot", "run"]
