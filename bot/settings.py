"""Typed settings from the environment or ``.env`` (the table in docs/product.md).

Secrets are ``SecretStr`` so they never print; a missing, malformed or placeholder
value stops start-up with one readable sentence (see ``load_settings``).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from messages.texts import config as texts

# Values people leave in a copied .env.example; refusing them beats failing at the first API call.
_PLACEHOLDERS = re.compile(r"^(changeme|change-me|changethis|xxx+|your[-_ ].*|<.*>|\.\.\.|todo|secret|token)$", re.I)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASES = ("sqlite", "postgresql")  # the migrations and bulk inserts are written for these two


def _csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class SettingsError(Exception):
    """Settings that cannot be used; the message is one sentence for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False,
        env_ignore_empty=True,  # "KEY=" in a copied .env.example means "not set"
    )

    # --- storage and plan ---
    database_url: str | None = None
    data_dir: Path = Path("./data")
    plan_file: Path | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    bot_clock_start: datetime | None = None

    # --- Telegram ---
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_api_base_file_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    staff_telegram_ids: Annotated[list[int], NoDecode] = []
    telegram_max_file_mb: int = Field(default=20, ge=1)  # 20 on the cloud API; raise it with a Local Bot API server
    submission_notify_chat_id: int | None = None  # a staff chat told of each new submission

    # --- Zalo Official Account ---
    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_access_token: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    staff_zalo_ids: Annotated[list[str], NoDecode] = []
    zalo_file_hosts: Annotated[list[str], NoDecode] = [".zadn.vn", ".zalo.me", ".zdn.vn", ".zaloapp.com"]
    zalo_max_file_mb: int = Field(default=25, ge=1)
    zalo_send_per_second: float = Field(default=5.0, gt=0)
    zalo_webhook_max_age_s: int = Field(default=300, ge=10)
    public_base_url: str | None = None  # how users reach HTTP_HOST:HTTP_PORT (signed download links)

    # --- HTTP endpoint, delivery, reminders ---
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    telegram_send_per_second: float = Field(default=30.0, gt=0)  # Telegram's ~30/s; the sender never exceeds it in any 1 s window
    reminder_grace_hours: int = Field(default=48, ge=0)  # a reminder missed while down is still sent within this
    invite_days: int = Field(default=14, ge=1, le=365)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for log shippers
    metrics_token: SecretStr | None = None  # enables /metrics for requests bearing it

    @field_validator("staff_telegram_ids", "staff_zalo_ids", "zalo_file_hosts", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _csv(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(texts.BAD_TIMEZONE.format(value=value)) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in LOG_LEVELS:
                raise ValueError(texts.BAD_LOG_LEVEL.format(value=value, levels=", ".join(LOG_LEVELS)))
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(texts.BAD_DATABASE_URL) from None
        if backend not in DATABASES:
            raise ValueError(texts.UNSUPPORTED_DATABASE.format(backend=backend))
        return value

    @field_validator(
        "database_url", "telegram_api_base_url", "telegram_api_base_file_url", "telegram_webhook_url",
        "zalo_app_id", "public_base_url", mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "telegram_bot_token", "telegram_webhook_secret", "zalo_app_secret", "zalo_oa_secret_key",
        "zalo_oa_access_token", "zalo_oa_refresh_token", "metrics_token", mode="before",
    )
    @classmethod
    def _secret(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if _PLACEHOLDERS.match(value.strip()):
                raise ValueError(texts.PLACEHOLDER)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "Settings":
        if self.telegram_webhook_url:
            if not self.telegram_webhook_url.startswith("https://"):
                raise ValueError(texts.WEBHOOK_NOT_HTTPS)
            secret = self.telegram_webhook_secret
            if secret is None or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret.get_secret_value()):
                raise ValueError(texts.WEBHOOK_SECRET)
        zalo = [self.zalo_app_id, self.zalo_app_secret, self.zalo_oa_secret_key, self.zalo_oa_refresh_token]
        if any(zalo) and not all(zalo):
            raise ValueError(texts.ZALO_INCOMPLETE)
        return self

    # --- derived ---
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def zalo_enabled(self) -> bool:
        return self.zalo_app_id is not None

    @property
    def web_origin(self) -> str:
        """Where people reach the HTTP endpoint: ``PUBLIC_BASE_URL``, else ``http://HTTP_HOST:HTTP_PORT``."""
        return (self.public_base_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def resolved_database_url(self) -> str:
        """``DATABASE_URL`` (``postgresql://`` uses psycopg 3), else SQLite in ``DATA_DIR``."""
        if self.database_url:
            return database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'agency-bot.sqlite3').resolve()}"


_BOUNDS = {"greater_than_equal": texts.AT_LEAST, "less_than_equal": texts.AT_MOST, "greater_than": texts.ABOVE,
           "less_than": texts.BELOW}


def database_url(url: str) -> str:
    """A database URL as SQLAlchemy takes it: ``postgres://`` and ``postgresql://`` use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


_ENV_NAMES = {name: name.upper() for name in Settings.model_fields}


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or ``SettingsError`` naming the variable at fault."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] in ("int_parsing", "float_parsing"):
            msg = texts.NOT_A_NUMBER
        elif err["type"].startswith("datetime"):
            msg = texts.NOT_A_DATETIME
        elif err["type"] in _BOUNDS:
            bound = next(iter((err.get("ctx") or {}).values()), "?")
            msg = texts.OUT_OF_RANGE.format(detail=_BOUNDS[err["type"]].format(bound=bound))
        elif err["type"] == "literal_error":
            msg = texts.ONE_OF.format(values=str(err.get("ctx", {}).get("expected", "")).replace(" or ", ", "))
        name = _ENV_NAMES.get(field)
        raise SettingsError(texts.INVALID.format(name=name + " " if name else "", detail=msg)) from None
