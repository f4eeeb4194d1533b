"""The report's period, page, CSV and the page's access checks, without a server."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from bot.channels.admin import login_page, session_cookie_value, token_matches, valid_session
from bot.report.period import MAX_DAYS, Period, PeriodError, parse_day
from bot.report.queries import compute
from bot.report.render import html_page, lookup, to_csv
from bot.settings import SettingsError, load_settings

TZ = "Europe/Paris"


def _report() -> dict:
    report = compute(None, None, Period.build(date(2026, 3, 28), date(2026, 3, 30), TZ, date(2026, 3, 30)), str)
    report["handoffs"]["by_reason"] = {"advisor_request": 2, "complaint": 1}
    report["top_fallback_messages"] = [{"text": "=cmd|' /C calc'!A0 <b>", "count": 2}]
    return report


@pytest.mark.parametrize(
    "since, until, message",
    [
        ("2026-13-01", None, "date invalide"),
        ("01/12/2026", None, "date invalide"),
        ("2026-12-02", "2026-12-01", "doit précéder"),
        ("2020-01-01", "2026-12-01", f"{MAX_DAYS} jours"),
    ],
)
def test_bad_periods_are_refused_in_french(since, until, message):
    with pytest.raises(PeriodError, match=message):
        Period.build(parse_day(since, "--since"), parse_day(until, "--until"), TZ, date(2026, 12, 1))


def test_default_period_is_the_30_days_ending_today_and_days_follow_daylight_saving():
    period = Period.build(None, None, TZ, date(2026, 12, 1))
    assert (period.since, period.until, len(period.days)) == (date(2026, 11, 2), date(2026, 12, 1), 30)
    spring = Period.build(date(2026, 3, 29), date(2026, 3, 29), TZ, date(2026, 3, 29))
    assert (spring.end - spring.start).total_seconds() == 23 * 3600  # the night the clocks go forward


def test_page_is_french_self_contained_and_each_chart_has_its_table():
    page = html_page(_report(), "Miel", form_action="/admin/report", csv_url="/admin/report.csv?since=x")
    assert page.startswith('<!doctype html><html lang="fr">') and "<title>" in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert page.count('<svg role="img"') == 4 and page.count("<title id=") == 4 and page.count("<desc id=") == 4
    assert page.count("<caption>") >= 7 and 'scope="col"' in page and 'scope="row"' in page
    assert '<label for="since">' in page and '<label for="until">' in page
    assert "&lt;b&gt;" in page and "<b>" not in page  # member text is escaped
    assert "demande à parler à un conseiller" in page  # reasons in French
    # headings go h1 then h2 only
    assert re.findall(r"<h(\d)", page)[0] == "1" and set(re.findall(r"<h(\d)", page)[1:]) == {"2"}
    for key, raw in re.findall(r'data-key="([^"]+)" data-value="([^"]*)"', page):
        assert raw == ("" if lookup(_report(), key) is None else json.dumps(lookup(_report(), key)))


def test_csv_is_one_long_table_and_defuses_formulas():
    rows = list(csv.reader(io.StringIO(to_csv(_report()))))
    assert rows[0] == ["section", "item", "date", "value"]
    assert ["handoffs_by_reason", "advisor_request", "", "2"] in rows
    assert ["per_day", "conversations", "2026-03-29", "0"] in rows
    message = [r for r in rows if r[0] == "top_fallback_messages"][0]
    assert message[1].startswith("'=")


def test_admin_token_setting():
    assert load_settings({"ASSISTANT_SECRET_KEY": "x" * 32}).admin_token is None
    with pytest.raises(SettingsError, match="ASSISTANT_ADMIN_TOKEN"):
        load_settings({"ASSISTANT_SECRET_KEY": "x" * 32, "ASSISTANT_ADMIN_TOKEN": "short"})
    settings = load_settings({"ASSISTANT_SECRET_KEY": "x" * 32, "ASSISTANT_ADMIN_TOKEN": "t" * 20})
    assert "t" * 20 not in repr(settings)


def test_admin_session_cookie_and_token_checks():
    settings = load_settings({"ASSISTANT_SECRET_KEY": "x" * 32, "ASSISTANT_ADMIN_TOKEN": "t" * 20})
    other = settings.with_overrides(admin_token="u" * 20)
    value = session_cookie_value(settings, now=1_000_000)
    assert "t" * 20 not in value
    assert valid_session(settings, value, now=1_000_000 + 60)
    assert not valid_session(settings, value, now=1_000_000 + 9 * 3600)  # expired
    assert not valid_session(other, value, now=1_000_000 + 60)  # the token changed
    expires, mac = value.split(".")
    assert not valid_session(settings, f"{int(expires) + 3600}.{mac}", now=1_000_000)  # tampered
    assert not valid_session(settings, "garbage", now=1_000_000) and not valid_session(settings, None)
    assert token_matches(settings, "t" * 20) and not token_matches(settings, "t" * 19)
    assert not token_matches(settings, None) and not token_matches(settings.with_overrides(admin_token=None), "")
    assert 'type="password"' in login_page() and 'role="alert"' in login_page("Ce jeton n'est pas le bon.")
