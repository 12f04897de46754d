"""``agency-bot``: the command line of docs/product.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot import backup, db_copy
from bot.settings import Settings, SettingsError, load_settings
from messages.plan import Plan
from messages.plan_loader import PlanError, bundled_plan_path, load_plan
from messages.texts import cli as texts
from messages.texts import console as console_texts
from messages.units import UnitRecord
from messages.vntext import fmt_date


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
    db = sub.add_parser("db", help=H["db"])
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help=H["db.upgrade"])
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

        # the terminal conversation stays readable: only warnings unless LOG_LEVEL asks for more
        quiet = args.command in ("chat", "ask", "plan", "invite", "reminders", "export", "db", "backup", "restore")
        level = settings.log_level if "log_level" in settings.model_fields_set or not quiet else "WARNING"
        setup_logging(level, _secrets(settings), settings.log_format)
        handler = {
            "run": cmd_run, "chat": cmd_chat, "ask": cmd_ask, "plan": cmd_plan_show, "invite": cmd_invite,
            "reminders": cmd_reminders, "export": cmd_export, "db": cmd_db_upgrade,
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
    print(describe_plan(load_plan(settings.plan_file)))
    return 0


def describe_plan(plan: Plan) -> str:
    doc, insp = plan.document, plan.inspection
    lines = [texts.SHOW_TITLE.format(citation=doc.citation, title=doc.title),
             texts.SHOW_ISSUER.format(issuer=doc.issuer, signer=doc.signer.full), texts.SHOW_BASES]
    lines += [texts.SHOW_BASE.format(label=b.label, subject=b.subject) for b in plan.legal_bases]
    count = {tier: sum(1 for u in plan.units if u.tier == tier) for tier in ("department", "district", "commune")}
    lines.append(texts.SHOW_ROSTER.format(departments=count["department"], districts=count["district"],
                                          communes=count["commune"]))
    lines.append(texts.SHOW_INSPECTED.format(section=plan.section_label(insp.section)))
    for tier, codes in (("department", insp.departments), ("district", insp.districts), ("commune", insp.communes)):
        if codes:
            names = ", ".join(plan.unit(c).name for c in codes)
            lines.append(texts.SHOW_INSPECTED_TIER.format(label=texts.TIER_LABEL[tier], count=len(codes), names=names))
    if not insp.communes:
        lines.append(texts.SHOW_COMMUNES_RULE.format(count=insp.communes_per_district,
                                                     section=plan.section_label(insp.communes_section)))
    w = insp.window
    lines.append(texts.SHOW_WINDOW.format(label=w.label, start=fmt_date(w.start), end=fmt_date(w.end),
                                          section=plan.section_label(insp.window_section)))
    lines.append(texts.SHOW_DELIVERABLES)
    announcer = plan.unit(insp.announced_by)
    for d in plan.deliverables:
        if d.due.date is not None:
            due = texts.SHOW_DUE_DATE.format(date=fmt_date(d.due.date), wording=d.due.wording)
        else:
            due = texts.SHOW_DUE_INSPECTION.format(announcer=announcer.name, window=w.label, end=fmt_date(w.end))
        lines.append(texts.SHOW_DELIVERABLE.format(title=d.title, section=plan.section_label(d.section), sender=d.sender,
                                                   recipient=d.recipient, due=due))
    lines.append(texts.SHOW_OBLIGATIONS)
    lines += [texts.SHOW_OBLIGATION.format(section=o.section, audience=texts.AUDIENCE[o.applies_to],
                                           summary=o.summary) for o in plan.obligations]
    return "\n".join(lines)


# ---- helpers ------------------------------------------------------------------
def resolve_unit_arg(services, query: str, *, allow_new: bool = True) -> UnitRecord:
    """A unit from a code or a name as people write it; a new commune is added to the store."""
    from handlers.start import ensure_unit

    resolution = services.roster().resolve(query)
    if resolution.unit is not None:
        return resolution.unit
    if resolution.new_commune is not None and allow_new:
        ensure_unit(services, resolution.new_commune, source="staff")
        return services.roster().get(resolution.new_commune.code)
    if resolution.candidates:
        raise CliError(texts.AMBIGUOUS_UNIT.format(query=query, names="; ".join(u.name for u in resolution.candidates)))
    raise CliError(texts.UNKNOWN_UNIT.format(query=query))


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


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    store.upgrade()
    print(texts.DB_UPGRADED.format(revision=store.current_revision()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
