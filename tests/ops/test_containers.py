"""The container deployment: what can be checked without a Docker engine always is (the Dockerfile's
user and health check, compose.yaml's services, the health-check program against a running bot);
``docker build`` and ``docker compose config`` (or Debian's ``docker-compose``) run where they work, else
they are skipped with why."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import Runtime
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "agency-bot-test:latest"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_the_image_is_slim_installs_the_repository_and_runs_as_a_user_with_a_health_check():
    steps = instructions()
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", steps[0][1]), steps[0]
    copied = " ".join(args for op, args in steps if op == "COPY")
    for package in ("bot", "handlers", "messages", "storage"):  # pyproject's packages
        assert re.search(rf"\b{package}\b", copied), package
    install = [i for i, (op, args) in enumerate(steps) if op == "RUN" and re.search(r"pip install \"?\.", args)]
    assert install, "the project is installed from the repository"
    users = [(i, args) for i, (op, args) in enumerate(steps) if op == "USER"]
    assert users and users[-1][1] not in ("root", "0") and users[-1][0] > install[-1]
    assert not any(op == "RUN" for op, _ in steps[users[-1][0]:])  # nothing runs as root after it
    (health,) = [args for op, args in steps if op == "HEALTHCHECK"]
    assert "bot.healthcheck" in health
    assert [args for op, args in steps if op == "CMD"][-1] == '["agency-bot", "run"]'
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "data", ".git"} <= set(ignored)  # no secrets or local data in the image


def test_compose_starts_postgresql_and_two_webhook_replicas_from_env():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    bots = {name: s for name, s in services.items() if name != "db"}
    assert len(bots) == 2
    ports = set()
    for name, bot in bots.items():
        assert bot["build"] == "." and bot["env_file"] == ".env"
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
        env = bot["environment"]
        assert "@db:5432/" in env["DATABASE_URL"] and "TELEGRAM_WEBHOOK_URL" in env  # webhook mode
        assert "botdata:/data" in bot["volumes"]  # received files shared by the replicas
        ports.update(bot["ports"])
    assert len(ports) == 2
    assert {"pgdata", "botdata"} <= set(compose["volumes"])


async def test_the_health_check_program_follows_healthz(tmp_path):
    def check(port: int) -> int:
        return subprocess.run([sys.executable, "-m", "bot.healthcheck"], env={"HTTP_PORT": str(port), "PATH": ""},
                              cwd=ROOT, timeout=30).returncode

    import asyncio

    runtime = Runtime.build(Settings(_env_file=None, data_dir=tmp_path, http_port=0))
    await runtime.start()
    port = runtime.http.port
    try:
        assert await asyncio.to_thread(check, port) == 0
    finally:
        await runtime.stop()
    assert await asyncio.to_thread(check, port) == 1


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def _needs(*args: str) -> None:
    """Skip, saying why, unless this Docker command works here."""
    if shutil.which("docker") is None:
        pytest.skip("the docker command is not installed")
    try:
        probe = _docker(*args, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.skip(f"docker {' '.join(args)} did not answer within 30 s")
    if probe.returncode != 0:
        reason = (probe.stderr or probe.stdout).strip().splitlines()
        pytest.skip(f"docker {' '.join(args)} does not work here: {reason[-1] if reason else probe.returncode}")


def test_docker_build_and_the_image_runs_as_a_user():
    _needs("info")
    built = _docker("build", "-t", IMAGE, ".", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    helped = _docker("run", "--rm", IMAGE, "agency-bot", "--help")
    assert helped.returncode == 0 and "agency-bot" in helped.stdout
    uid = _docker("run", "--rm", IMAGE, "id", "-u")
    assert uid.returncode == 0 and uid.stdout.strip() not in ("", "0")


def _compose() -> list[str]:
    """``docker compose``, or the older ``docker-compose`` (Debian's package); skip, saying why, if neither works."""
    reasons = []
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            reasons.append(f"{' '.join(command)}: not installed")
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return command
        lines = (probe.stderr or probe.stdout).strip().splitlines()
        reasons.append(f"{' '.join(command)}: {lines[-1] if lines else probe.returncode}")
    pytest.skip("no Compose here (" + "; ".join(reasons) + ")")


def test_compose_config(tmp_path):
    command = _compose()
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=pw-for-config\nTELEGRAM_BOT_TOKEN=1:x\n"
                                   "TELEGRAM_WEBHOOK_URL=https://bot.example.gov.vn/telegram/webhook\n")
    done = subprocess.run([*command, "config"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    assert sorted(config["services"]) == ["bot1", "bot2", "db"]
    for bot in ("bot1", "bot2"):
        env = config["services"][bot]["environment"]
        assert env["DATABASE_URL"] == "postgresql://agency:pw-for-config@db:5432/agency_bot"
        assert env["TELEGRAM_WEBHOOK_URL"] == "https://bot.example.gov.vn/telegram/webhook"
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=1:x\n")  # no password, no webhook URL: refused
    refused = subprocess.run([*command, "config"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr
