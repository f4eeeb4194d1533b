"""The report as JSON, CSV and an HTML page with server-rendered SVG charts.

The page (``/admin/report`` and ``python -m bot report --html FILE``) is one
self-contained document in French: no script, no external font or image.
Each chart (activation and registration funnels, daily series, hand-off
reasons) is an ``<svg role="img">`` with a title and a description, followed
by a table that gives the same figures (the accessible alternative).  Every
figure cell carries ``data-key`` (its JSON path) and ``data-value`` (its raw
value), so tests compare the page with ``--json``.

The CSV is one long table, ``section,item,date,value``: one line per figure,
per day and series, per hand-off reason and per fallback message.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from html import escape
from typing import Any, Iterable, List, Mapping, Sequence, Tuple
from urllib.parse import urlencode

from bot.support.reason import REASON_LABELS

ACTIVATION_LABELS = {
    "started": "Activation démarrée",
    "identity_verified": "Identité vérifiée",
    "code_sent": "Code envoyé",
    "code_verified": "Code vérifié",
    "emails_sent": "Identifiant et lien envoyés par e-mail",
    "password_set": "Mot de passe choisi",
}
REGISTRATION_LABELS = {
    "started": "Inscription démarrée",
    "access_verified": "Numéro et code d'accès vérifiés",
    "cgu_accepted": "CGU acceptées",
    "confirmation_sent": "E-mail de confirmation envoyé",
    "email_confirmed": "Code d'activation saisi dans la conversation",
    "password_set": "Mot de passe choisi",
}
DAY_SERIES = {
    "conversations": "Conversations",
    "member_turns": "Messages des adhérents",
    "fallback_turns": "Messages non compris",
    "handoffs": "Transmissions au support",
    "activations_started": "Activations démarrées",
    "activations_password_set": "Activations terminées",
    "registrations_started": "Inscriptions démarrées",
    "registrations_password_set": "Inscriptions terminées",
}
TOPIC_LABELS = {"activation": "Après une activation", "answer": "Après une réponse"}

# colours: text #1a1a1a, bars #1f4e79 (9.0:1 on white), second series #a64b00 (5.6:1)
PRIMARY = "#1f4e79"
SECONDARY = "#a64b00"
INK = "#1a1a1a"

STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: {INK}; background: #fff;
  margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }} h2 {{ font-size: 1.25rem; margin-top: 2.2rem; }}
table {{ border-collapse: collapse; margin: .8rem 0; min-width: 20rem; }}
caption {{ text-align: left; font-weight: 600; padding-bottom: .3rem; }}
th, td {{ border: 1px solid #8a8a8a; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
thead th {{ background: #eef2f6; }}
form {{ display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; margin: 1rem 0; }}
label {{ display: block; font-weight: 600; }}
input {{ font: inherit; padding: .25rem; border: 1px solid #595959; }}
button {{ font: inherit; padding: .35rem .9rem; background: {PRIMARY}; color: #fff; border: 0; border-radius: 3px; }}
a {{ color: {PRIMARY}; }}
:focus-visible {{ outline: 3px solid {SECONDARY}; outline-offset: 2px; }}
svg {{ max-width: 100%; height: auto; display: block; }}
.error {{ border-left: 4px solid #b00020; padding: .4rem .8rem; background: #fdecee; }}
.note {{ color: #4a4a4a; }}
"""


# --- formatting ---------------------------------------------------------------------


def fr_number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


def fr_percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}".replace(".", ",") + "\u00a0%"


def fr_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return day.strftime("%d/%m/%Y")


def _cell(key: str, value: Any, text: str | None = None) -> str:
    raw = "" if value is None else json.dumps(value)
    shown = fr_number(value) if text is None else text
    return f'<td class="num" data-key="{escape(key)}" data-value="{escape(raw)}">{escape(shown)}</td>'


# --- SVG ----------------------------------------------------------------------------


def _svg_open(ident: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
    )


def hbar_chart(ident: str, title: str, desc: str, items: Sequence[Tuple[str, int]], color: str = PRIMARY) -> str:
    """Horizontal bars, one per item, the value written after each bar."""
    label_w, bar_w, row_h, top = 290, 330, 30, 8
    width, height = label_w + bar_w + 70, top * 2 + row_h * max(len(items), 1)
    top_value = max([v for _, v in items] + [1])
    parts = [_svg_open(ident, width, height, title, desc)]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        length = round(bar_w * value / top_value) if value else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="13" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{length}" height="{row_h - 10}" fill="{color}"/>'
            f'<text x="{label_w + length + 6}" y="{y + 19}" font-size="13" fill="{INK}">'
            f"{escape(fr_number(value))}</text>"
        )
    if not items:
        parts.append(f'<text x="10" y="24" font-size="13" fill="{INK}">Aucune donnée sur la période.</text>')
    parts.append("</svg>")
    return "".join(parts)


def day_chart(ident: str, title: str, desc: str, days: Sequence[Mapping[str, Any]]) -> str:
    """Conversations per day (bars) and hand-offs per day (narrower bars in front), with a legend."""
    left, right, top, bottom = 44, 12, 34, 44
    plot_w = max(300, min(900, 14 * len(days)))
    plot_h = 200
    width, height = left + plot_w + right, top + plot_h + bottom
    top_value = max([int(d["conversations"]) for d in days] + [1])
    step = plot_w / max(len(days), 1)
    parts = [_svg_open(ident, width, height, title, desc)]
    # legend
    parts.append(
        f'<rect x="{left}" y="6" width="12" height="12" fill="{PRIMARY}"/>'
        f'<text x="{left + 18}" y="16" font-size="12" fill="{INK}">Conversations</text>'
        f'<rect x="{left + 130}" y="6" width="12" height="12" fill="{SECONDARY}"/>'
        f'<text x="{left + 148}" y="16" font-size="12" fill="{INK}">Transmissions au support</text>'
    )
    # axis and scale
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="{INK}"/>')
    for fraction in (0.5, 1.0):
        y = base - plot_h * fraction
        label = fr_number(round(top_value * fraction))
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#c8c8c8"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">{label}</text>'
        )
    every = max(1, round(len(days) / 8))
    for i, day in enumerate(days):
        x = left + i * step
        conv_h = plot_h * int(day["conversations"]) / top_value
        hand_h = plot_h * int(day["handoffs"]) / top_value
        bar = max(step * 0.8, 1)
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{base - conv_h:.1f}" width="{bar:.1f}" '
            f'height="{conv_h:.1f}" fill="{PRIMARY}"/>'
        )
        if hand_h:
            parts.append(
                f'<rect x="{x + step * 0.3:.1f}" y="{base - hand_h:.1f}" width="{bar / 2:.1f}" '
                f'height="{hand_h:.1f}" fill="{SECONDARY}"/>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" fill="{INK}">'
                f"{fr_date(day['date'])[:5]}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


# --- HTML ---------------------------------------------------------------------------


def _funnel_section(ident: str, heading: str, funnel: Mapping[str, int], labels: Mapping[str, str]) -> str:
    started = funnel.get("started") or 0
    items = [(labels.get(step, step), int(value)) for step, value in funnel.items()]
    desc = "; ".join(f"{label} : {fr_number(value)}" for label, value in items) + "."
    rows = []
    for step, value in funnel.items():
        share = fr_percent(value / started) if started else "–"
        rows.append(
            f'<tr><th scope="row">{escape(labels.get(step, step))}</th>'
            f'{_cell(f"{ident}.{step}", value)}<td class="num">{share}</td></tr>'
        )
    return (
        f'<section aria-labelledby="h-{ident}"><h2 id="h-{ident}">{escape(heading)}</h2>'
        + hbar_chart(f"chart-{ident}", f"{heading} : conversations par étape", desc, items)
        + f"<table><caption>{escape(heading)} : conversations ayant atteint chaque étape</caption>"
        '<thead><tr><th scope="col">Étape</th><th scope="col">Conversations</th>'
        '<th scope="col">Part des démarrées</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></section>"
    )


def _summary(report: Mapping[str, Any]) -> str:
    sat = report["satisfaction"]
    rows = [
        ("Conversations (au moins un message d'adhérent)", _cell("conversations", report["conversations"])),
        ("Messages des adhérents", _cell("member_turns", report["member_turns"])),
        ("Messages non compris (réponse de repli)", _cell("fallback_turns", report["fallback_turns"])),
        (
            "Taux de messages non compris",
            _cell("fallback_rate", report["fallback_rate"], fr_percent(report["fallback_rate"])),
        ),
        ("Transmissions au support (demandes créées)", _cell("handoffs.count", report["handoffs"]["count"])),
        ("Conversations transmises au support", _cell("handoffs.conversations", report["handoffs"]["conversations"])),
        ("Conversations où le support a été proposé", _cell("handoffs.offered", report["handoffs"]["offered"])),
        (
            "Taux de conversations traitées sans le support",
            _cell("containment_rate", report["containment_rate"], fr_percent(report["containment_rate"])),
        ),
        ("Questions de satisfaction posées", _cell("satisfaction.asked", sat["asked"])),
        ("Réponses « Oui, merci »", _cell("satisfaction.helpful", sat["helpful"])),
        ("Réponses « Pas vraiment »", _cell("satisfaction.not_helpful", sat["not_helpful"])),
    ]
    body = "".join(f'<tr><th scope="row">{escape(label)}</th>{cell}</tr>' for label, cell in rows)
    return (
        '<section aria-labelledby="h-summary"><h2 id="h-summary">En bref</h2>'
        '<table><caption>Chiffres clés de la période</caption><thead><tr><th scope="col">Indicateur</th>'
        f'<th scope="col">Valeur</th></tr></thead><tbody>{body}</tbody></table></section>'
    )


def _days_section(report: Mapping[str, Any]) -> str:
    days = report["per_day"]
    total = sum(d["conversations"] for d in days)
    busiest = max(days, key=lambda d: d["conversations"]) if days else None
    desc = f"{fr_number(total)} conversations sur {len(days)} jours"
    if busiest and busiest["conversations"]:
        desc += f", au plus {fr_number(busiest['conversations'])} le {fr_date(busiest['date'])}"
    desc += ". Le tableau qui suit donne les chiffres de chaque jour."
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in DAY_SERIES.values())
    rows = []
    for i, day in enumerate(days):
        cells = "".join(_cell(f"per_day.{i}.{key}", day[key]) for key in DAY_SERIES)
        rows.append(f'<tr><th scope="row" data-key="per_day.{i}.date">{fr_date(day["date"])}</th>{cells}</tr>')
    return (
        '<section aria-labelledby="h-days"><h2 id="h-days">Jour par jour</h2>'
        + day_chart("chart-days", "Conversations et transmissions au support par jour", desc, days)
        + '<table><caption>Chiffres par jour</caption><thead><tr><th scope="col">Jour</th>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _handoffs_section(report: Mapping[str, Any]) -> str:
    reasons = report["handoffs"]["by_reason"]
    items = [(REASON_LABELS.get(reason, reason), int(count)) for reason, count in reasons.items()]
    desc = ("; ".join(f"{label} : {fr_number(count)}" for label, count in items) or "Aucune transmission") + "."
    rows = "".join(
        f'<tr><th scope="row">{escape(REASON_LABELS.get(reason, reason))}</th>'
        f"{_cell(f'handoffs.by_reason.{reason}', count)}</tr>"
        for reason, count in reasons.items()
    )
    if not rows:
        rows = '<tr><td colspan="2">Aucune transmission au support sur la période.</td></tr>'
    return (
        '<section aria-labelledby="h-handoffs"><h2 id="h-handoffs">Transmissions au support, par motif</h2>'
        + hbar_chart("chart-handoffs", "Demandes transmises au support, par motif", desc, items, SECONDARY)
        + '<table><caption>Demandes transmises au support, par motif</caption><thead><tr><th scope="col">Motif</th>'
        + f'<th scope="col">Demandes</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _satisfaction_section(report: Mapping[str, Any]) -> str:
    sat = report["satisfaction"]
    rows = "".join(
        f'<tr><th scope="row">{escape(TOPIC_LABELS[topic])}</th>'
        + _cell(f"satisfaction.by_topic.{topic}.asked", figures["asked"])
        + _cell(f"satisfaction.by_topic.{topic}.helpful", figures["helpful"])
        + _cell(f"satisfaction.by_topic.{topic}.not_helpful", figures["not_helpful"])
        + "</tr>"
        for topic, figures in sat["by_topic"].items()
    )
    return (
        '<section aria-labelledby="h-satisfaction"><h2 id="h-satisfaction">Satisfaction</h2>'
        "<table><caption>Question « utile ? » posée une fois par conversation</caption><thead><tr>"
        '<th scope="col">Moment</th><th scope="col">Posée</th><th scope="col">Oui, merci</th>'
        f'<th scope="col">Pas vraiment</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _messages_section(report: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<tr><td data-key="top_fallback_messages.{i}.text">{escape(m["text"])}</td>'
        f"{_cell(f'top_fallback_messages.{i}.count', m['count'])}</tr>"
        for i, m in enumerate(report["top_fallback_messages"])
    )
    if not rows:
        rows = '<tr><td colspan="2">Aucun message non compris sur la période.</td></tr>'
    return (
        '<section aria-labelledby="h-messages"><h2 id="h-messages">Messages les plus souvent non compris</h2>'
        '<p class="note">Numéros, codes et adresses sont masqués.</p>'
        "<table><caption>Messages ayant reçu la réponse de repli</caption><thead><tr>"
        '<th scope="col">Message (masqué)</th><th scope="col">Fois</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def html_page(
    report: Mapping[str, Any],
    tenant_name: str,
    *,
    form_action: str | None = None,
    csv_url: str | None = None,
    error: str | None = None,
) -> str:
    """The whole page; ``form_action`` adds the period selector, ``csv_url`` the download link."""
    period = report["period"]
    since, until = period["since"], period["until"]
    controls = ""
    if form_action:
        controls = (
            f'<form method="get" action="{escape(form_action)}" aria-label="Choisir la période">'
            '<div><label for="since">Du</label>'
            f'<input type="date" id="since" name="since" value="{escape(since)}"></div>'
            '<div><label for="until">Au</label>'
            f'<input type="date" id="until" name="until" value="{escape(until)}"></div>'
            '<button type="submit">Afficher</button></form>'
        )
    if csv_url:
        controls += f'<p><a href="{escape(csv_url)}" download>Télécharger les chiffres (CSV)</a></p>'
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = "".join(
        [
            _summary(report),
            _funnel_section("activation", "Activation du compte", report["activation"], ACTIVATION_LABELS),
            _funnel_section("registration", "Inscription (code d'accès)", report["registration"], REGISTRATION_LABELS),
            _days_section(report),
            _handoffs_section(report),
            _satisfaction_section(report),
            _messages_section(report),
        ]
    )
    title = f"Rapport de l'assistant {tenant_name}, du {fr_date(since)} au {fr_date(until)}"
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Rapport de l'assistant {escape(tenant_name)}</h1>"
        f"<p>Du {fr_date(since)} au {fr_date(until)} inclus (fuseau {escape(period['timezone'])}).</p></header>"
        f"<main>{alert}{controls}{body}</main></body></html>"
    )


def report_query(since: str, until: str) -> str:
    return urlencode({"since": since, "until": until})


# --- JSON and CSV ---------------------------------------------------------------------


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def csv_rows(report: Mapping[str, Any]) -> Iterable[List[Any]]:
    yield ["section", "item", "date", "value"]
    yield ["period", "since", "", report["period"]["since"]]
    yield ["period", "until", "", report["period"]["until"]]
    for key in ("conversations", "member_turns", "fallback_turns", "fallback_rate", "containment_rate"):
        yield ["summary", key, "", "" if report[key] is None else report[key]]
    for funnel in ("activation", "registration"):
        for step, value in report[funnel].items():
            yield [funnel, step, "", value]
    handoffs = report["handoffs"]
    for key in ("count", "conversations", "offered"):
        yield ["handoffs", key, "", handoffs[key]]
    for reason, count in handoffs["by_reason"].items():
        yield ["handoffs_by_reason", reason, "", count]
    sat = report["satisfaction"]
    for key in ("asked", "answered", "helpful", "not_helpful"):
        yield ["satisfaction", key, "", sat[key]]
    for topic, figures in sat["by_topic"].items():
        for key, value in figures.items():
            yield ["satisfaction_" + topic, key, "", value]
    for day in report["per_day"]:
        for key in DAY_SERIES:
            yield ["per_day", key, day["date"], day[key]]
    for message in report["top_fallback_messages"]:
        yield ["top_fallback_messages", message["text"], "", message["count"]]


def _csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv_rows(report):
        writer.writerow([_csv_safe(v) for v in row])
    return out.getvalue()


def lookup(report: Mapping[str, Any], key: str) -> Any:
    """The value at a ``data-key`` path (``activation.started``, ``per_day.3.handoffs``)."""
    value: Any = report
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


__all__: Tuple[str, ...] = ("html_page", "to_json", "to_csv", "csv_rows", "lookup", "report_query")
