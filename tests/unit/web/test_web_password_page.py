"""The /activation/<token> password page: form, CSRF, policy, birth date, tokens,
common and personal passwords, long passwords, headers (CSP, HSTS), the
"activation completed" notice."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.members import PASSWORD, add_member
from helpers.outbox import read_outbox
from helpers.ports import free_port
from sqlalchemy import select, update

from bot.activation import tokens
from bot.passwords import TOO_COMMON_MESSAGE, TOO_GUESSABLE_MESSAGE, verify_password
from bot.store.db import session_scope
from bot.store.models import AuditEvent, Member, OutboxMessage
from bot.web import password_page as page

SECRET = "activation-test-secret-key-0123456789"
ROOT = Path(__file__).resolve().parents[3]


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
        self.inputs, self.labels, self.ids, self.buttons, self.scripts = {}, set(), set(), [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "input":
            self.inputs[attrs.get("name")] = attrs
        if tag == "label":
            self.labels.add(attrs.get("for"))
        if tag == "button":
            self.buttons.append(attrs)
        if tag == "script":
            assert "src" not in attrs
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_form_is_accessible_and_self_contained(ctx, engine, member):
    response = page.handle_get(ctx, _token(engine, member))
    assert response.status == 200
    html = response.html
    assert '<html lang="fr">' in html and "<title>" in html
    assert "http" not in html and "<link" not in html and "src=" not in html  # no external resource
    parsed = _Inputs()
    parsed.feed(html)
    # one inline script, allowed by its hash (not by 'unsafe-inline')
    [script] = parsed.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = page.SECURITY_HEADERS["Content-Security-Policy"]
    assert f"script-src 'sha256-{digest}';" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    # the show-password toggles: real buttons, hidden until the script runs
    toggles = [b for b in parsed.buttons if b.get("type") == "button"]
    assert [b["aria-controls"] for b in toggles] == ["password", "password_confirm"]
    assert all(b["aria-pressed"] == "false" and "hidden" in b for b in toggles)
    assert ">Afficher</span>" in html
    # no silent truncation of a 128-character password typed with emoji (2 UTF-16 units each)
    assert int(parsed.inputs["password"]["maxlength"]) >= 2 * 128
    assert "value" not in parsed.inputs["password"] and "value" not in parsed.inputs["password_confirm"]
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


@pytest.mark.parametrize("tenant", ["miel", "smie"])
@pytest.mark.parametrize("flow", [page.FLOW_NIR, page.FLOW_EMAIL])
def test_templates_are_filled_with_the_tenant_s_colours(make_ctx, tenant, flow):
    ctx = make_ctx(tenant)
    pages = [
        page.render_form("t", "c", ["x", ("password", "y")], flow, tenant=ctx.tenant, deadline="le 24/11/2025 à 14h05"),
        *(page._invalid_page(ctx, state, flow).html for state in ("expired", "used", "active", "locked", "error")),
    ]
    for html in pages:
        assert "${" not in html and html.endswith("</body>\n</html>\n")
        assert f"header{{background:{ctx.tenant.colors.primary};color:{ctx.tenant.colors.on_primary};" in html


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
        ({"birth_date": "12/03/2999"}, "La date doit être au format JJ/MM/AAAA"),
        ({"birth_date": "12/03/1880"}, "La date doit être au format JJ/MM/AAAA"),
        ({"birth_date": ""}, "Indiquez votre date de naissance."),
        ({"password": "", "password_confirm": ""}, "Choisissez un mot de passe."),
    ],
    ids=[
        "confirm-differs",
        "wrong-birth-date",
        "impossible-date",
        "future-date",
        "too-old",
        "no-birth-date",
        "no-password",
    ],
)
def test_form_errors(ctx, engine, member, fields, message):
    response = _post(ctx, _token(engine, member), **fields)
    assert response.status == 400
    assert message in unescape(response.html)
    assert 'role="alert"' in response.html


# read as in the chat (bot.identity.parse_birth_date): the page's own forms and the chat's
@pytest.mark.parametrize(
    "birth_date", ["12/03/1980", "1980-03-12", " 12.03.1980 ", "12-03-1980", "12 mars 1980", "12/03/80"]
)
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
    assert "alert(1)</script>" not in response.html and "&lt;script&gt;alert(1)" in response.html
    assert response.html.count("<script>") == 1  # ours only


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


# ---- common, personal and long passwords ------------------------------------------------
# The member of the helpers: Marie-Hélène Dupont, born 12/03/1980, adherent A1000nn.


@pytest.mark.parametrize(
    "password, message",
    [
        ("Motdepasse1!", TOO_COMMON_MESSAGE),
        ("Azerty123!", TOO_COMMON_MESSAGE),
        ("Password1!", TOO_COMMON_MESSAGE),
        ("P@ssw0rd!", TOO_COMMON_MESSAGE),
        ("Soleil123!", TOO_COMMON_MESSAGE),
        ("Aaaaaaaa1!", TOO_GUESSABLE_MESSAGE),
        ("Aa1!Aa1!Aa1!", TOO_GUESSABLE_MESSAGE),
    ],
)
def test_common_and_guessable_passwords_are_refused(ctx, engine, member, password, message):
    response = _post(ctx, _token(engine, member), password=password, password_confirm=password)
    assert response.status == 400
    assert message in unescape(response.html)
    assert password not in response.html and password not in unescape(response.html)
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "pending"


NAME = "Ce mot de passe contient votre nom."
FIRST = "Ce mot de passe contient votre prénom."
DATE = "Ce mot de passe contient votre date de naissance."
YEAR = "Ce mot de passe contient votre année de naissance."
NUMBER = "Ce mot de passe contient votre numéro d'adhérent."


@pytest.mark.parametrize(
    "password, message",
    [
        ("Dupont-Velo-42!", NAME),
        ("dUPONT-Velo-42!", NAME),
        ("Velo+Dûpont#42", NAME),
        ("tnopuD-Velo-42!", NAME),  # reversed: zxcvbn with the user inputs
        ("Hélène-Velo-42!", FIRST),
        ("HELENE-Velo-42!", FIRST),
        ("Marie-Velo-42!", FIRST),
        ("Mariehelene-Velo-4!", FIRST),
        ("H3l3n3-Velo-42!", FIRST),  # l33t: zxcvbn with the user inputs
        ("Velo-12031980!", DATE),
        ("Velo-19800312!", DATE),
        ("Velo-120380!", DATE),
        ("Velo-800312!", DATE),
        ("Velo-12/03/1980", DATE),
        ("Velo-12-03-1980", DATE),
        ("Velo-12.03.1980", DATE),
        ("Velo-1980/03/12", DATE),
        ("Velo-12/03/80!", DATE),
        ("Velo-1980-Rouge!", YEAR),
        ("Velo-{number}!", NUMBER),
        ("Velo-{digits}-Rouge!", NUMBER),
    ],
)
def test_passwords_with_personal_data_are_refused(ctx, engine, member, password, message):
    password = password.format(number=member.adherent_number.lower(), digits=member.adherent_number[1:])
    response = _post(ctx, _token(engine, member), password=password, password_confirm=password)
    assert response.status == 400, response.html
    text = unescape(response.html)
    assert message in text
    assert "Choisissez-en un sans information personnelle" in text
    assert password not in response.html and password not in text
    for data in ("Dupont", "Marie", "Hélène", member.adherent_number):  # the message names no data either
        assert data not in text
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "pending"


def test_zxcvbn_only_scores_a_form_that_is_otherwise_right(ctx, engine, member):
    response = _post(ctx, _token(engine, member), birth_date="13/03/1980", password="Password1!",
                     password_confirm="Password1!")  # fmt: skip
    text = unescape(response.html)
    assert response.status == 400 and "ne correspond pas à nos informations" in text
    assert TOO_COMMON_MESSAGE not in text


def _exactly(n: int) -> str:
    """A passphrase of exactly ``n`` characters with spaces, accents, emoji, a joiner and a no-break space."""
    base = "Le vélo bleu 🚲 roule vers Saint-Étienne\u00a0à 7 h, sous une pluie fine 👩\u200d💻 et tiède ; "
    text = (base * 4)[:n]
    assert len(text) == n
    return text


@pytest.mark.parametrize("length", [8, 64, 100, 128])
def test_long_passwords_with_spaces_and_unicode_are_accepted(ctx, engine, member, length):
    password = _exactly(length) if length > 8 else "Kx7#pQ2m"  # 8 random characters: the guide's minimum
    response = _post(ctx, _token(engine, member), password=password, password_confirm=password)
    assert response.status == 200, unescape(response.html)
    with session_scope(engine) as session:
        assert verify_password(session.get(Member, member.id).password_hash, password)


def test_129_characters_are_refused(ctx, engine, member):
    password = _exactly(129)
    response = _post(ctx, _token(engine, member), password=password, password_confirm=password)
    assert response.status == 400
    assert "Le mot de passe doit contenir au plus 128 caractères." in unescape(response.html)


# ---- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "public_url, hsts",
    [("https://adherents.example.org", "max-age=31536000"), ("http://127.0.0.1:5005", None)],
)
def test_hsts_only_when_the_public_url_is_https(make_ctx, engine, member, public_url, hsts):
    ctx = make_ctx("miel", ASSISTANT_PUBLIC_URL=public_url)
    headers = page.response_headers(ctx)
    assert headers.get("Strict-Transport-Security") == hsts
    assert headers["Content-Security-Policy"] == page.SECURITY_HEADERS["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
    cookie = page.handle_get(ctx, _token(engine, member)).set_cookie
    assert cookie.endswith("; Secure") == (hsts is not None)
    assert "Strict-Transport-Security" not in page.response_headers(None)  # the web channel's own failure page


_SERVE_WEB_CHANNEL = """
import sys
from sanic import Sanic
from bot.channels.web import WebChannel

app = Sanic("password_page_headers")
channel = WebChannel()
app.blueprint(channel.blueprint(None), url_prefix=channel.url_prefix())  # as Rasa mounts it
app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""


@pytest.mark.parametrize(
    "public_url, hsts",
    [("https://adherents.example.org", "max-age=31536000"), ("http://127.0.0.1:5005", None)],
)
def test_the_web_channel_sends_hsts_only_for_an_https_public_url(settings, engine, member, tmp_path, public_url, hsts):
    """Our web channel in a real Sanic server (no model needed) serving a real link."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_TENANT": "miel",
            "ASSISTANT_PUBLIC_URL": public_url,
            "ASSISTANT_SECRET_KEY": settings.secret_key,
            "ASSISTANT_DATABASE_URL": settings.database_url,
            "ASSISTANT_VAR_DIR": str(settings.var_dir),
            "ASSISTANT_OUTBOX": str(settings.outbox_path),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    url = f"http://127.0.0.1:{port}/activation/{_token(engine, member)}"
    log_path = tmp_path / "web-channel.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-c", _SERVE_WEB_CHANNEL, str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    status, headers = resp.status, resp.headers
                break
            except urllib.error.HTTPError as answered:
                status, headers = answered.code, answered.headers
                break
            except (urllib.error.URLError, ConnectionError):
                alive = server.poll() is None
                assert alive and time.monotonic() < deadline, f"the web channel did not answer:\n{log_path.read_text()}"
                time.sleep(0.3)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert status == 200, log_path.read_text()
    assert headers["Strict-Transport-Security"] == hsts
    assert headers["Content-Security-Policy"] == page.SECURITY_HEADERS["Content-Security-Policy"]
    assert headers["Set-Cookie"].endswith("; Secure") == (hsts is not None)


# ---- the "activation completed" notice ----------------------------------------------------

EMAIL = "marie.dupont@example.org"
MOBILE = "+33612345678"


def test_activation_sends_the_notice_to_the_email_and_mobile_on_file(ctx, engine, outbox_path):
    member = add_member(engine, email=EMAIL, mobile=MOBILE)
    response = _post(ctx, _token(engine, member))
    assert response.status == 200
    notices = [m for m in read_outbox(outbox_path) if m["kind"] == "notice_activation_completed"]
    assert sorted((m["channel"], m["to"]) for m in notices) == [("email", EMAIL), ("sms", MOBILE)]
    email = next(m for m in notices if m["channel"] == "email")
    sms = next(m for m in notices if m["channel"] == "sms")
    assert "est activé" in email["subject"] and "Si ce n'était pas vous" in email["body"]
    assert "activé" in sms["body"] and ctx.tenant.display_name in sms["body"]
    for message in notices:
        assert PASSWORD not in message["body"]
    with session_scope(engine) as session:
        query = select(OutboxMessage.state).where(OutboxMessage.kind == "notice_activation_completed")
        assert session.execute(query).scalars().all() == ["sent", "sent"]  # delivered after the commit


def test_the_notice_goes_by_smtp_when_configured(make_ctx, engine, smtp_sink, outbox_path):
    smtp_sink.start()
    ctx = make_ctx("miel", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_sink.port), SMTP_STARTTLS="false")
    member = add_member(engine, email=EMAIL, mobile=MOBILE)
    assert _post(ctx, _token(engine, member)).status == 200
    [mail] = smtp_sink.wait_for(EMAIL)
    assert "est activé" in mail["Subject"]
    sms = [m for m in read_outbox(outbox_path) if m["kind"] == "notice_activation_completed"]
    assert [(m["channel"], m["to"]) for m in sms] == [("sms", MOBILE)]


@pytest.mark.parametrize("failure", ["smtp-down", "outbox-unwritable"])
def test_a_notice_that_cannot_be_delivered_never_fails_the_page(make_ctx, engine, tmp_path, failure):
    if failure == "smtp-down":
        ctx = make_ctx("miel", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_STARTTLS="false")
    else:
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        ctx = make_ctx("miel", ASSISTANT_OUTBOX=str(blocker / "outbox.jsonl"))
    member = add_member(engine, email=EMAIL, mobile=MOBILE)
    response = _post(ctx, _token(engine, member))
    assert response.status == 200 and "Votre mot de passe est enregistré" in unescape(response.html)
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "active"
        query = select(OutboxMessage.channel, OutboxMessage.state).where(
            OutboxMessage.kind == "notice_activation_completed"
        )
        rows = dict(session.execute(query).all())
    # the e-mail waits in the outbox for `python -m bot outbox retry`; never "sent"
    assert set(rows) == {"email", "sms"} and rows["email"] != "sent"


def test_a_member_without_contacts_is_still_activated(ctx, engine, member, outbox_path):
    assert _post(ctx, _token(engine, member)).status == 200
    assert not [m for m in read_outbox(outbox_path) if m["kind"] == "notice_activation_completed"]
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "active"
