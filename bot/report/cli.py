"""``python -m bot report``: the digital team's report on the command line.

``[--since YYYY-MM-DD] [--until YYYY-MM-DD]`` choose the period (local days,
both included; default: the 30 days ending today); ``--json`` prints the
report as one JSON object, ``--html FILE`` and ``--csv FILE`` write the page
and the CSV; without any of them a short summary is printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report",
        help="activation funnel, hand-offs, fallback and containment rates, satisfaction (README: Report)",
    )
    report.add_argument(
        "--since", metavar="YYYY-MM-DD", help="first day of the period (default: 29 days before --until)"
    )
    report.add_argument("--until", metavar="YYYY-MM-DD", help="last day of the period, included (default: today)")
    report.add_argument("--json", action="store_true", help="print the report as one JSON object")
    report.add_argument("--html", metavar="FILE", type=Path, help="write the report page (HTML, SVG charts) to FILE")
    report.add_argument("--csv", metavar="FILE", type=Path, help="write the figures as CSV to FILE")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.report import render
    from bot.report.period import PeriodError, parse_day
    from bot.report.service import build_report, period_for
    from bot.settings import get_settings
    from bot.tenants import current_tenant

    settings = get_settings()
    try:
        period = period_for(settings, parse_day(args.since, "--since"), parse_day(args.until, "--until"))
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    try:
        report = build_report(settings, period)
    except SQLAlchemyError as exc:
        original = getattr(exc, "orig", None) or exc
        first = (str(original).strip().splitlines() or [type(original).__name__])[0]
        raise CliError(f"cannot read the stores: {first}") from None
    try:
        if args.html:
            args.html.write_text(render.html_page(report, current_tenant().display_name), encoding="utf-8")
        if args.csv:
            args.csv.write_text(render.to_csv(report), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{exc.strerror or exc}: {exc.filename}") from None
    if args.json:
        print(render.to_json(report))
    elif not (args.html or args.csv):
        _print_summary(report)
    return 0


def _print_summary(report: dict) -> None:
    def pct(rate: float | None) -> str:
        return "-" if rate is None else f"{rate * 100:.1f} %"

    period = report["period"]
    print(f"period          : {period['since']} .. {period['until']} ({period['timezone']})")
    print(f"conversations   : {report['conversations']} ({report['member_turns']} member turns)")
    print(f"fallback rate   : {pct(report['fallback_rate'])} ({report['fallback_turns']} turns)")
    print(f"containment     : {pct(report['containment_rate'])}")
    handoffs = report["handoffs"]
    reasons = ", ".join(f"{k} {v}" for k, v in handoffs["by_reason"].items()) or "none"
    print(f"hand-offs       : {handoffs['count']} ({reasons})")
    print("activation      : " + " > ".join(f"{k} {v}" for k, v in report["activation"].items()))
    print("registration    : " + " > ".join(f"{k} {v}" for k, v in report["registration"].items()))
    sat = report["satisfaction"]
    print(f"satisfaction    : asked {sat['asked']}, helpful {sat['helpful']}, not helpful {sat['not_helpful']}")
