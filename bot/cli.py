"""``agency-bot``: the command line of docs/product.md."""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import os
import sys
from pathlib import Path

from bot import backup, db_copy
from bot.cli_args import Parser, bounded_int
from bot.settings import Settings, SettingsError, load_settings
from bot.startup import os_reason
from messages.plan_loader import PlanError, bundled_plan_path, load_plan
from messages.texts import cli as texts
from messages.texts import console as console_texts
from messages.texts import web as web_texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime


class CliError(Exception):
    """A problem to print as one sentence, exit status 2."""


INVITE_DAYS_MAX = 365  # a year: a code outliving the plan's year is a code nobody watches
REMINDER_DAYS_MAX = 366


def _parser() -> argparse.ArgumentParser:
    H = texts.HELP
    p = Parser(prog="agency-bot", description=H["prog"])
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")
    sub.add_parser("run", help=H["run"], description=H["run"])
    chat = sub.add_parser("chat", help=H["chat"], description=H["chat"])
    chat.add_argument("--agency", metavar="UNIT", help=H["chat.agency"])
    chat.add_argument("--staff", action="store_true", help=H["chat.staff"])
    ask = sub.add_parser("ask", help=H["ask"], description=H["ask"])
    ask.add_argument("--agency", metavar="UNIT", help=H["ask.agency"])
    ask.add_argument("--json", action="store_true", help=H["ask.json"])
    ask.add_argument("question", nargs="+", metavar="QUESTION", help=H["ask.question"])
    plan = sub.add_parser("plan", help=H["plan"], description=H["plan"])
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="LỆNH")
    check = plan_sub.add_parser("check", help=H["plan.check"], description=H["plan.check"])
    check.add_argument("file", nargs="?", metavar="FILE", help=H["plan.file"])
    plan_sub.add_parser("show", help=H["plan.show"], description=H["plan.show"])
    invite = sub.add_parser("invite", help=H["invite"], description=H["invite"])
    invite.add_argument("unit", nargs="+", metavar="UNIT", help=H["invite.unit"])
    invite.add_argument("--days", type=bounded_int(1, INVITE_DAYS_MAX), default=None, metavar="N",
                        help=H["invite.days"].format(max=INVITE_DAYS_MAX))
    reminders = sub.add_parser("reminders", help=H["reminders"], description=H["reminders"])
    reminders.add_argument("--days", type=bounded_int(1, REMINDER_DAYS_MAX), default=14, metavar="N",
                           help=H["reminders.days"].format(max=REMINDER_DAYS_MAX))
    export = sub.add_parser("export", help=H["export"], description=H["export"])
    export.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx", help=H["export.out"])
    export.add_argument("--force", action="store_true", help=H["export.force"])
    report = sub.add_parser("report", help=H["report"], description=H["report"])
    report.add_argument("--out", required=True, type=Path, metavar="FILE.docx", help=H["report.out"])
    report.add_argument("--force", action="store_true", help=H["export.force"])
    units = sub.add_parser("units", help=H["units"], description=H["units"])
    units_sub = units.add_subparsers(dest="units_command", required=True, metavar="LỆNH")
    units_import = units_sub.add_parser("import", help=H["units.import"], description=H["units.import"])
    units_import.add_argument("file", type=Path, metavar="FILE", help=H["units.file"])
    units_import.add_argument("--dry-run", action="store_true", help=H["units.dry_run"])
    units_sub.add_parser("list", help=H["units.list"], description=H["units.list"])
    web_link = sub.add_parser("web-link", help=web_texts.CLI_HELP, description=web_texts.CLI_HELP)
    web_link.add_argument("--staff", metavar="ID", help=web_texts.CLI_HELP_STAFF)
    db = sub.add_parser("db", help=H["db"], description=H["db"])
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="LỆNH")
    db_sub.add_parser("upgrade", help=H["db.upgrade"], description=H["db.upgrade"])
    db_copy.add_parser(db_sub)
    backup.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan" and args.plan_command == "check":
            return plan_check(args.file)
        settings = load_settings()
        from bot.logs import setup_logging

        # the terminal stays readable: only warnings unless LOG_LEVEL asks for more; in a conversation, only
        # errors (the bot's own reply already says why a command was refused)
        quiet = args.command in ("chat", "ask", "plan", "invite", "reminders", "export", "report", "db", "units",
                                 "web-link", "backup", "restore")
        talking = args.command in ("chat", "ask")
        level = (settings.log_level if "log_level" in settings.model_fields_set or not quiet
                 else "ERROR" if talking else "WARNING")
        setup_logging(level, _secrets(settings), settings.log_format)
        handler = {
            "run": cmd_run, "chat": cmd_chat, "ask": cmd_ask, "plan": cmd_plan_show, "invite": cmd_invite,
            "reminders": cmd_reminders, "export": cmd_export, "db": cmd_db_upgrade, "units": cmd_units,
            "web-link": cmd_web_link, "report": cmd_report,
            "backup": backup.cmd_backup, "restore": backup.cmd_restore,
        }[args.command]
        if args.command == "db" and args.db_command == "copy":
            handler = db_copy.cmd_db_copy
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
              settings.zalo_oa_secret_key, settings.zalo_oa_access_token, settings.zalo_oa_refresh_token,
              settings.metrics_token]
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
    from handlers.start import invite, invite_how

    services = _services(settings)
    _refuse_several_units(services, args.unit)
    unit = resolve_unit_arg(services, " ".join(args.unit))
    if settings.telegram_enabled:
        from bot.channels.telegram import deep_link_factory

        link = asyncio.run(deep_link_factory(settings))
        if link is not None:
            services.invite_links["telegram"] = link
    if settings.zalo_enabled:  # the OA has no deep link; the invite then says "dangky CODE" for Zalo
        services.invite_links["zalo"] = lambda code: None
    issued = invite(services, None, unit, args.days)  # audited as the command line's
    from messages.texts import registration as reg_texts

    print(reg_texts.INVITE_OK.format(unit=unit.name, code=issued.code, expires=fmt_datetime(issued.expires),
                                     how=invite_how(services, issued.code)))
    return 0


def _refuse_several_units(services, words: list[str]) -> None:
    """``invite STC "H. An Biên"``: words that each name a unit on their own are several units,
    not one name typed without quotes (``invite so tai chinh``), and only one code is issued at a time."""
    if len(words) < 2:
        return
    roster = services.roster()
    named: dict[str, str] = {}
    for word in words:
        resolution = roster.resolve(word)
        unit = resolution.unit or resolution.new_unit
        if unit is not None:
            named.setdefault(unit.code, unit.name)
    if len(named) > 1:
        raise CliError(texts.SEVERAL_UNITS.format(count=len(named), names="; ".join(named.values())))


def cmd_reminders(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.reminders import describe_upcoming

    services = _services(settings)
    print(describe_upcoming(services, args.days))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.reports import write_workbook

    path = output_target(args.out, ".xlsx", force=args.force)
    services = _services(settings)
    path = write_workbook(services, path)
    print(texts.EXPORTED.format(path=path))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.summary_report import write_report
    from messages.texts.summary_report import REPORTED

    path = output_target(args.out, ".docx", force=args.force)
    print(REPORTED.format(path=write_report(_services(settings), path)))
    return 0


def cmd_web_link(settings: Settings, args: argparse.Namespace) -> int:
    """A one-time sign-in link for a staff member; the link itself is the last line printed."""
    from handlers.web_signin import LINK_VALID, issue_link
    from storage import people

    listed = [("telegram", str(i)) for i in settings.staff_telegram_ids] + [("zalo", i) for i in settings.staff_zalo_ids]
    wanted = [(ch, i) for ch, i in listed if args.staff is None or i == args.staff.strip()]
    if not wanted:
        raise CliError(web_texts.CLI_NOT_STAFF.format(id=args.staff) if args.staff else web_texts.CLI_NO_STAFF)
    channel, external_id = wanted[0]
    services = _services(settings)
    with services.store.session() as s:
        person = people.ensure(s, channel, external_id)
    link = issue_link(services, None, person.id)
    print(web_texts.CLI_LINK.format(who=f"{web_texts.CHANNEL[channel]} {external_id}",
                                    minutes=int(LINK_VALID.total_seconds() // 60),
                                    expires=fmt_datetime(link.expires)))
    print(link.url)
    return 0


def output_target(out: Path, suffix: str, *, force: bool) -> Path:
    """Where ``export``/``report --out`` writes, or one sentence why not: as ``cp``/``tar`` do, a folder is
    not a file name and an existing file is kept unless ``--force``; a name without an extension gets
    ``suffix``, any other extension is refused (the file is always of that type, whatever the name says)."""
    path = out.expanduser()
    if path.is_dir():
        raise CliError(texts.EXPORT_IS_DIR.format(path=out, example=path / f"tong-hop{suffix}"))
    if path.suffix == "":
        path = path.with_name(path.name + suffix)
    elif path.suffix.lower() != suffix:
        raise CliError(texts.EXPORT_WRONG_TYPE.format(path=out, suffix=suffix))
    if path.is_dir():
        raise CliError(texts.EXPORT_IS_DIR.format(path=path, example=path / f"tong-hop{suffix}"))
    if path.exists() and not force:
        raise CliError(texts.EXPORT_EXISTS.format(path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(texts.EXPORT_PARENT.format(path=path, reason=os_reason(exc))) from None
    if not os.access(path.parent, os.W_OK):
        raise CliError(texts.EXPORT_PARENT.format(path=path, reason=os_reason(PermissionError(errno.EACCES, ""))))
    return path.resolve()


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from bot.startup import open_store

    store = open_store(settings)
    print(texts.DB_UPGRADED.format(revision=store.current_revision()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
