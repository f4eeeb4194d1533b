"""The /activation/<token> password page: form, CSRF, policy, birth date, tokens."""

from __future__ import annotations

import re
import threading
from html import unescape
from html.parser import HTMLParser

import pytest
from activation_helpers import PASSWORD, add_member
from sqlalchemy import select, update

from bot.activation import password_page as page
from bot.activation import tokens
from bot.passwords import verify_password
from bot.store.db import session_scope
from bot.store.models import AuditEvent, Member

SECRET = "activation-test-secret-key-0123456789"


def _token(engine, member, purpose=tokens.SET_PASSWORD, hours=48, email=None):
    with session_scope(engine) as session:
        session.execute(update(Member).where(Member.id == member.id).values(status="pending"))
        return tokens.issue_token(session, SECRET, member.id, purpose, hours, email=email).token


def _csrf(response):
    field = re.search(r'name="csrf_token" value="([^"]+)"', response.html).group(1)
    cookie = re.match(r"activation_csrf=([^;]*);", response.set_cookie).group(1)
    return field, cookie


def _post(ctx, token, **fields):
    get = page.handle_get(ctx, token)
    field, cookie = _csrf(get)
    form = {"csrf_token": field, "birth_date": "12/03/1980", "password": PASSWORD, "password_confirm": PASSWORD}
    form.update(fields)
    return page.handle_post(ctx, token, form, cookie)


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self.ids = {}, set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "input":
            self.inputs[attrs.get("name")] = attrs
        if tag == "label":
            self.labels.add(attrs.get("for"))


def test_form_is_accessible_and_self_contained(ctx, engine, member):
    response = page.handle_get(ctx, _token(engine, member))
    assert response.status == 200
    html = response.html
    assert '<html lang="fr">' in html and "<title>" in html
    assert "http" not in html and "<script" not in html and "<link" not in html  # no external resource
    parsed = _Inputs()
    parsed.feed(html)
    assert set(parsed.inputs) == {"csrf_token", "birth_date", "password", "password_confirm"}
    assert parsed.inputs["csrf_token"]["type"] == "hidden"
    expected = {"birth_date": "bday", "password": "new-password", "password_confirm": "new-password"}
    for name, autocomplete in expected.items():
        attrs = parsed.inputs[name]
        assert attrs["autocomplete"] == autocomplete and name in parsed.labels
        for ref in attrs["aria-describedby"].split():
            assert ref in parsed.ids
    assert "au moins une majuscule" in html
    assert response.set_cookie.startswith("activation_csrf=")
    assert "HttpOnly" in response.set_cookie and "SameSite=Strict" in response.set_cookie


def test_success_activates_the_member(ctx, engine, member):
    token = _token(engine, member)
    response = _post(ctx, token)
    assert response.status == 200, response.html
    assert "Votre mot de passe est enregistré" in unescape(response.html)
    text = unescape(response.html)
    assert "numéro d'adhérent" in text and "Conditions Générales d'Utilisation" in text
    assert "Max-Age=0" in response.set_cookie
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert row.status == "active" and row.activated_at is not None
        assert row.password_hash.startswith("$argon2id$") and verify_password(row.password_hash, PASSWORD)
        assert PASSWORD not in row.password_hash
        events = [e.event for e in session.execute(select(AuditEvent)).scalars()]
        assert "password_set" in events
    again = page.handle_get(ctx, token)
    assert again.status == 410 and "déjà été utilisé" in unescape(again.html)


@pytest.mark.parametrize(
    "password, messages",
    [
        ("Ab1!", ["au moins 8 caractères"]),
        ("bonjour-2025!", ["au moins une majuscule"]),
        ("BONJOUR-2025!", ["au moins une minuscule"]),
        ("Bonjour-tout!", ["au moins un chiffre"]),
        ("Bonjour2025", ["au moins un caractère spécial"]),
        (
            "bonjour",
            ["au moins 8 caractères", "au moins une majuscule", "au moins un chiffre", "au moins un caractère spécial"],
        ),
    ],
    ids=["short", "no-upper", "no-lower", "no-digit", "no-special", "several"],
)
def test_each_policy_failure_has_its_message(ctx, engine, member, password, messages):
    response = _post(ctx, _token(engine, member), password=password, password_confirm=password)
    assert response.status == 400
    for message in messages:
        assert f"Le mot de passe doit contenir {message}" in unescape(response.html)
    assert 'aria-invalid="true"' in response.html and 'id="password-error"' in response.html
    assert password not in response.html  # never echoed back
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "pending"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"password_confirm": "Bonjour-2026!"}, "Les deux mots de passe ne sont pas identiques."),
        ({"birth_date": "13/03/1980"}, "Cette date de naissance ne correspond pas à nos informations."),
        ({"birth_date": "31/02/1980"}, "La date doit être au format JJ/MM/AAAA"),
        ({"birth_date": ""}, "Indiquez votre date de naissance."),
        ({"password": "", "password_confirm": ""}, "Choisissez un mot de passe."),
    ],
    ids=["confirm-differs", "wrong-birth-date", "impossible-date", "no-birth-date", "no-password"],
)
def test_form_errors(ctx, engine, member, fields, message):
    response = _post(ctx, _token(engine, member), **fields)
    assert response.status == 400
    assert message in unescape(response.html)
    assert 'role="alert"' in response.html


@pytest.mark.parametrize("birth_date", ["12/03/1980", "1980-03-12", " 12.03.1980 ", "12-03-1980"])
def test_birth_date_formats(ctx, engine, member, birth_date):
    assert _post(ctx, _token(engine, member), birth_date=birth_date).status == 200


def test_five_wrong_birth_dates_cancel_the_link(ctx, engine, member):
    token = _token(engine, member)
    for _ in range(4):
        assert _post(ctx, token, birth_date="01/01/1990").status == 400
    last = _post(ctx, token, birth_date="01/01/1990")
    assert last.status == 410 and "désactivé" in unescape(last.html)
    assert page.handle_get(ctx, token).status == 410


def test_values_are_escaped(ctx, engine, member):
    response = _post(ctx, _token(engine, member), birth_date='"><script>alert(1)</script>')
    assert response.status == 400
    assert "<script>" not in response.html and "&lt;script&gt;" in response.html


@pytest.mark.parametrize("case", ["no-cookie", "no-field", "different", "other-token", "tampered"])
def test_csrf_is_checked(ctx, engine, member, case):
    token = _token(engine, member)
    field, cookie = _csrf(page.handle_get(ctx, token))
    if case == "no-cookie":
        cookie = None
    elif case == "no-field":
        field = ""
    elif case == "different":
        field, _ = _csrf(page.handle_get(ctx, token))
    elif case == "other-token":
        other = _token(engine, add_member(engine))
        field, cookie = _csrf(page.handle_get(ctx, other))
    else:
        field = cookie = field[:-1] + ("0" if field[-1] != "0" else "1")
    form = {"csrf_token": field, "birth_date": "12/03/1980", "password": PASSWORD, "password_confirm": PASSWORD}
    response = page.handle_post(ctx, token, form, cookie)
    assert response.status == 403
    assert "Votre formulaire a expiré" in unescape(response.html)
    assert response.set_cookie  # a fresh form to try again
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "pending"


@pytest.mark.parametrize(
    "case, status, text",
    [
        ("forged", 404, "n'est pas valide"),
        ("expired", 410, "a expiré"),
        ("used", 410, "déjà été utilisé"),
        ("active", 410, "déjà activé"),
        ("locked", 403, "bloqué"),
    ],
)
def test_bad_links_get_a_clear_page(ctx, engine, member, clock, case, status, text):
    token = _token(engine, member)
    if case == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "expired":
        clock.advance(hours=48)
    elif case == "used":
        with session_scope(engine) as session:
            tokens.consume_token(session, tokens.lookup_token(session, SECRET, token).token_id)
    else:
        with session_scope(engine) as session:
            session.execute(update(Member).where(Member.id == member.id).values(status=case))
    for response in (page.handle_get(ctx, token), page.handle_post(ctx, token, {}, None)):
        assert response.status == status
        assert text in unescape(response.html) and '<html lang="fr">' in response.html
        assert "Traceback" not in response.html


def test_smie_flow_asks_for_the_email(smie_ctx, engine, member):
    token = _token(engine, member, purpose=tokens.SMIE_CONFIRM, hours=24, email="jean@example.org")
    response = page.handle_get(smie_ctx, token)
    parsed = _Inputs()
    parsed.feed(response.html)
    assert set(parsed.inputs) == {"csrf_token", "email", "password", "password_confirm"}
    assert parsed.inputs["email"]["autocomplete"] == "email" and parsed.inputs["email"]["type"] == "email"
    bad = _post(smie_ctx, token, email="autre@example.org")
    assert bad.status == 400 and "ne correspond pas à celle de votre inscription" in unescape(bad.html)
    good = _post(smie_ctx, token, email="JEAN@example.org")
    assert good.status == 200 and "adresse e-mail et ce mot de passe" in unescape(good.html)
    assert "5 minutes" in unescape(good.html)  # the 2-step login of the SMIE guide
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert (row.status, row.email) == ("active", "jean@example.org")


def test_concurrent_posts_activate_once(ctx, engine, member):
    token = _token(engine, member)
    forms = []
    for _ in range(4):
        field, cookie = _csrf(page.handle_get(ctx, token))
        forms.append(
            (
                {"csrf_token": field, "birth_date": "12/03/1980", "password": PASSWORD, "password_confirm": PASSWORD},
                cookie,
            )
        )
    barrier = threading.Barrier(len(forms))
    statuses = []

    def worker(form, cookie):
        barrier.wait()
        statuses.append(page.handle_post(ctx, token, form, cookie).status)

    threads = [threading.Thread(target=worker, args=f) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200, 410, 410, 410]


def test_store_failure_gives_a_page_not_a_traceback(ctx, engine, member):
    token = _token(engine, member)
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE audit_events")
    response = page.handle_get(ctx, token)
    assert response.status == 503 and "réessayer" in unescape(response.html)


def test_render_form_escapes_everything(ctx):
    html = page.render_form(
        't"><b>', 'c"><b>', ["<b>oops</b>", ("password", "<i>x</i>")], tenant=ctx.tenant, values={"birth_date": "<b>"}
    )
    assert "<b>" not in html and "<i>" not in html
