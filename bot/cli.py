"""``agency-bot``: the command line of docs/product.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from messages.plan_loader import PlanError, bundled_plan_path, load_plan
from messages.texts import cli as texts
from messages.texts import console as console_texts
from messages.units import UnitRecord


class CliError(Exception):
    """A problem to print as one sentence, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    H = texts.HELP
    p = argparse.ArgumentParser(prog="agency-bot", description=H["prog"])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help=H["run"])
    chat = sub.add_parser("chat", help=H["chat"])
    chat.add_argument("--agency", metavar="UNIT", help=H["chat.agency"])
    chat.add_argument("--staff", action="store_true", help=H["chat.staff"])
    ask = sub.add_parser("ask", help=H["ask"])
    ask.add_argument("--agency", metavar="UNIT")
    ask.add_argument("--json", action="store_true", help=H["ask.json"])
    ask.add_argument("question", nargs="+")
    plan = sub.add_parser("plan", help=H["plan"])
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    check = plan_sub.add_parser("check", help=H["plan.check"])
    check.add_argument("file", nargs="?")
    plan_sub.add_parser("show", help=H["plan.show"])
    invite = sub.add_parser("invite", help=H["invite"])
    invite.add_argument("unit", nargs="+", metavar="UNIT")
    invite.add_argument("--days", type=int, default=None)
    reminders = sub.add_parser("reminders", help=H["reminders"])
    reminders.add_argument("--days", type=int, default=14)
    export = sub.add_parser("export", help=H["export"])
    export.add_argument("--out", required=True, type=Path)
    sub.add_parser("report", help=H["report"]).add_argument("--out", required=True, type=Path)
    units = sub.add_parser("units", help=H["units"])
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_import = units_sub.add_parser("import", help=H["units.import"])
    units_import.add_argument("file", type=Path, metavar="FILE", help=H["units.file"])
    units_import.add_argument("--dry-run", action="store_true", help=H["units.dry_run"])
    units_sub.add_parser("list", help=H["units.list"])
    db = sub.add_parser("db", help=H["db"])
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help=H["db.upgrade"])
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan" and args.plan_command == "check":
            return plan_check(args.file)
        settings = load_settings()
        from bot.logs import setup_logging

        # the terminal conversation stays readable: only warnings unless LOG_LEVEL asks for more
        quiet = args.command in ("chat", "ask", "plan", "invite", "reminders", "export", "report", "db", "units")
        level = settings.log_level if "log_level" in settings.model_fields_set or not quiet else "WARNING"
        setup_logging(level, _secrets(settings))
        handler = {
            "run": cmd_run, "chat": cmd_chat, "ask": cmd_ask, "plan": cmd_plan_show, "invite": cmd_invite,
            "reminders": cmd_reminders, "export": cmd_export, "report": cmd_report, "db": cmd_db_upgrade,
            "units": cmd_units,
        }[args.command]
        return handler(settings, args) or 0
    except (SettingsError, CliError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except PlanError as exc:
        _print_plan_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130


def _secrets(settings: Settings) -> list[str]:
    values = [settings.telegram_bot_token, settings.telegram_webhook_secret, settings.zalo_app_secret,
              settings.zalo_oa_secret_key, settings.zalo_oa_access_token, settings.zalo_oa_refresh_token]
    return [v.get_secret_value() for v in values if v is not None]


# ---- plan ---------------------------------------------------------------------
def _print_plan_error(exc: PlanError) -> None:
    print(texts.PLAN_BAD.format(source=exc.source), file=sys.stderr)
    for problem in exc.problems:
        print(texts.PLAN_PROBLEM.format(problem=problem), file=sys.stderr)


def plan_check(file: str | None) -> int:
    if file is None:
        try:
            settings = load_settings()
            file = str(settings.plan_file) if settings.plan_file else None
        except SettingsError:
            file = None
    source = file or str(bundled_plan_path())
    try:
        plan = load_plan(file)
    except PlanError as exc:
        _print_plan_error(exc)
        return 1
    print(texts.PLAN_OK.format(source=source, citation=plan.document.citation, title=plan.document.title,
                               units=len(plan.units), deliverables=len(plan.deliverables),
                               topics=len(plan.knowledge.topics)))
    return 0


def cmd_plan_show(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.plan_summary import describe_plan

    print(describe_plan(load_plan(settings.plan_file), _services(settings).roster()))
    return 0


# ---- helpers ------------------------------------------------------------------
def resolve_unit_arg(services, query: str) -> UnitRecord:
    """A unit from a code or a name as people write it; a name not in the roster is never added here."""
    from messages.texts import units as unit_texts

    resolution = services.roster().resolve(query)
    if resolution.unit is not None:
        return resolution.unit
    if resolution.candidates:
        raise CliError(unit_texts.CLI_AMBIGUOUS.format(query=query,
                                                       names="; ".join(u.name for u in resolution.candidates)))
    if resolution.new_unit is not None:
        raise CliError(unit_texts.CLI_NEW_UNIT.format(query=query, unit=resolution.new_unit.name))
    raise CliError(texts.UNKNOWN_UNIT.format(query=query))


def cmd_units(settings: Settings, args: argparse.Namespace) -> int:
    from handlers import roster_import

    services = _services(settings)
    if args.units_command == "list":
        print(roster_import.list_roster(services))
        return 0
    try:
        report = roster_import.check(services, roster_import.read_rows(args.file))
        if not args.dry_run and not report.problems:
            roster_import.apply(services, report)
    except roster_import.ImportFailed as exc:
        raise CliError(str(exc)) from None
    print(roster_import.describe(services, report, args.dry_run))
    return 2 if report.problems else 0


def _services(settings: Settings):
    from bot.app import build_services

    return build_services(settings)


# ---- commands -----------------------------------------------------------------
def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import Runtime

    runtime = Runtime.build(settings)
    asyncio.run(runtime.serve_forever())
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.console import ConsoleChannel, console_identity
    from handlers import build_router

    services = _services(settings)
    unit = resolve_unit_arg(services, args.agency) if args.agency else None
    external_id = console_identity(services, unit, args.staff)
    who = (console_texts.WHO_STAFF if args.staff else
           console_texts.WHO_UNIT.format(unit=unit.name) if unit else console_texts.WHO_GUEST)
    channel = ConsoleChannel(services, build_router(), external_id)
    asyncio.run(channel.run(console_texts.BANNER.format(who=who)))
    return 0


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.questions import ask

    services = _services(settings)
    unit = resolve_unit_arg(services, args.agency) if args.agency else None
    answer = ask(services, " ".join(args.question), unit)
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.answer)
    return 0


def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.start import invite_how, issue_invite

    services = _services(settings)
    unit = resolve_unit_arg(services, " ".join(args.unit))
    if settings.telegram_enabled:
        from bot.channels.telegram import deep_link_factory

        link = asyncio.run(deep_link_factory(settings))
        if link is not None:
            services.invite_links["telegram"] = link
    if settings.zalo_enabled:  # the OA has no deep link; the invite then says "dangky CODE" for Zalo
        services.invite_links["zalo"] = lambda code: None
    code, expires = issue_invite(services, unit.code, None, args.days)
    from messages.texts import registration as reg_texts
    from messages.vntext import fmt_datetime

    print(reg_texts.INVITE_OK.format(unit=unit.name, code=code, expires=fmt_datetime(expires),
                                     how=invite_how(services, code)))
    return 0


def cmd_reminders(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.reminders import describe_upcoming

    services = _services(settings)
    print(describe_upcoming(services, args.days))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.reports import write_workbook

    services = _services(settings)
    path = write_workbook(services, args.out)
    print(texts.EXPORTED.format(path=path))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.summary_report import write_report
    from messages.texts.summary_report import REPORTED

    print(REPORTED.format(path=write_report(_services(settings), args.out)))
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    store.upgrade()
    print(texts.DB_UPGRADED.format(revision=store.current_revision()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
