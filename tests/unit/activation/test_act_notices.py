"""Security notices to the contacts on file (bot.activation.notices): French
texts saying what happened and when, with only the tenant's own contact
routes (SMIE has no phone: never a phone number in its notices), never a NIR
or a code; CONTACT_CHANGED goes to the old contact."""

from __future__ import annotations

import logging
import re

import pytest
from helpers.members import EMAIL, MOBILE, add_member, sent_to
from helpers.nir import group_nir
from helpers.outbox import read_outbox

from bot.activation import notices
from bot.store.models import Member

MIEL_PHONE = "04 77 49 35 35"
MIEL_SUPPORT = "digital.assistance-miel@malakoffhumanis.com"
PHONE_LIKE = re.compile(r"(?<!\d)(?:\+33|0)\s?[1-9](?:[\s.]?\d{2}){4}(?!\d)")

WHAT = {
    notices.ACTIVATION_COMPLETED: ("est activé", "a été activé"),
    notices.CONTACT_CHANGED: ("Modification de vos coordonnées", "coordonnées"),
    notices.LOCKED: ("bloquée", "a été bloquée"),
    notices.ATTEMPT_STOPPED: ("Tentative d'activation", "a été arrêtée"),
}


def _notify(ctx, member_id, kind, **kw):
    with ctx.session() as session:
        ids = notices.queue_notices(ctx, session, session.get(Member, member_id), kind, **kw)
    results = notices.deliver(ctx, ids)
    assert all(r.delivered for r in results)
    return ids


@pytest.fixture
def member(engine):
    return add_member(engine, mobile=MOBILE, email=EMAIL)


@pytest.mark.parametrize("kind", notices.KINDS)
@pytest.mark.parametrize("tenant", ["miel", "smie"])
def test_notice_texts(make_ctx, member, outbox_path, tenant, kind):
    ctx = make_ctx(tenant)
    _notify(ctx, member.id, kind)
    [email] = sent_to(outbox_path, EMAIL)
    [sms] = sent_to(outbox_path, MOBILE)
    assert (email["channel"], email["kind"], sms["channel"], sms["kind"]) == (
        "email",
        f"notice_{kind}",
        "sms",
        f"notice_{kind}",
    )
    subject_part, body_part = WHAT[kind]
    name = ctx.tenant.display_name
    assert subject_part in email["subject"] and name in email["subject"]
    body, text = email["body"], sms["body"]
    # French, what happened and when (10:00 in Paris on the driven clock)
    assert body.startswith("Bonjour,") and body_part in body and body_part in text
    assert "le 24/11/2025 à 10h00" in body and "le 24/11/2025 à 10h00" in text
    assert "contactez-nous" in body and "Si ce n'était pas vous, contactez-nous" in text
    assert text.startswith(f"{name} : ")
    # the tenant's contact routes, and only them
    assert f"- depuis {ctx.tenant.contact_in_space}" in body
    if tenant == "miel":
        assert f"- par téléphone : {MIEL_PHONE}" in body and f"- par e-mail : {MIEL_SUPPORT}" in body
        assert text.endswith(f"contactez-nous au {MIEL_PHONE}.")
    else:
        for message in (email["subject"], body, text):
            assert not PHONE_LIKE.search(message), message
            assert "téléphone" not in message and "appel" not in message
            for miel_fact in ("Miel", "04 77", "malakoff", "mielmut"):
                assert miel_fact not in message
        assert text.endswith(f"contactez-nous depuis {ctx.tenant.contact_in_space}.")
    # never a NIR or anything like a code
    for message in (email["subject"], body, text):
        assert member.nir not in message and group_nir(member.nir) not in message
        # six digits in a row, spaces ignored (the tenant's own phone number aside)
        assert not re.search(r"\d{6}", message.replace(MIEL_PHONE, "").replace(" ", "")), message


def test_the_phone_pattern_would_see_a_phone():
    """Guard for the SMIE assertions above."""
    assert PHONE_LIKE.search(f"appelez le {MIEL_PHONE}") and PHONE_LIKE.search("au 0477493535")
    assert not PHONE_LIKE.search("le 24/11/2025 à 10h00")


@pytest.mark.parametrize(
    "before, after, kw, emails, mobiles",
    [
        # the e-mail was replaced: the old address is told, the unchanged mobile too
        (
            {"email": "old@example.org"},
            {"email": "new@example.org"},
            {"previous_email": "old@example.org"},
            ["old@example.org"],
            [MOBILE],
        ),
        # the mobile was replaced: the old number is told, the unchanged e-mail too
        (
            {"mobile": "+33600000001"},
            {"mobile": "+33600000002"},
            {"previous_mobile": "+33600000001"},
            [EMAIL],
            ["+33600000001"],
        ),
        # both replaced: only the old ones
        (
            {"email": "old@example.org", "mobile": "+33600000001"},
            {"email": "new@example.org", "mobile": "+33600000002"},
            {"previous_email": "old@example.org", "previous_mobile": "+33600000001"},
            ["old@example.org"],
            ["+33600000001"],
        ),
        # an e-mail added to a record that had none: only the mobile on file is told
        ({"email": None}, {"email": "new@example.org"}, {"added": ["new@example.org"]}, [], [MOBILE]),
        # a mobile added: only the e-mail on file
        ({"mobile": None}, {"mobile": "+33600000002"}, {"added": ["+33600000002"]}, [EMAIL], []),
    ],
    ids=["email-replaced", "mobile-replaced", "both-replaced", "email-added", "mobile-added"],
)
def test_contact_changed_goes_to_the_old_contact(ctx, engine, outbox_path, before, after, kw, emails, mobiles):
    m = add_member(engine, **{"email": EMAIL, "mobile": MOBILE, **after})
    change = notices.describe_change(
        kw.get("previous_email"), after.get("email"), kw.get("previous_mobile"), after.get("mobile")
    )
    _notify(ctx, m.id, notices.CONTACT_CHANGED, change=change, **kw)
    sent = read_outbox(outbox_path)
    assert sorted(x["to"] for x in sent if x["channel"] == "email") == emails
    assert sorted(x["to"] for x in sent if x["channel"] == "sms") == mobiles
    for new in after.values():
        assert new not in [x["to"] for x in sent]  # the new contact is not "told" of itself
        assert all(new not in x["body"] for x in sent)  # and appears masked only
    assert all(change in x["body"] for x in sent)


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            (None, "jean.martin@example.org", None, None),
            "L'adresse e-mail de votre dossier a été ajoutée : j***n@example.org",
        ),
        (
            ("a@example.org", "jean.martin@example.org", None, None),
            "L'adresse e-mail de votre dossier a été remplacée par j***n@example.org",
        ),
        (
            (None, None, "+33612345678", "+33699999999"),
            "Le numéro de mobile de votre dossier a été remplacé par +33 ******* 99",
        ),
        ((None, None, None, "+33699999999"), "Le numéro de mobile de votre dossier a été ajouté : +33 ******* 99"),
        (
            (None, "x@example.org", None, "+33699999999"),
            "L'adresse e-mail de votre dossier a été ajoutée : x***@example.org et le numéro de mobile de votre "
            "dossier a été ajouté : +33 ******* 99",
        ),
        (("x@example.org", "x@example.org", MOBILE, MOBILE), "Vos coordonnées ont été modifiées"),
    ],
)
def test_describe_change_masks_the_new_contact(args, expected):
    assert notices.describe_change(*args) == expected


def test_a_mobile_the_gate_refuses_is_skipped_and_the_email_still_goes(ctx, engine, outbox_path, caplog):
    m = add_member(engine, mobile="+32470123456", email=EMAIL)
    caplog.set_level(logging.WARNING, logger="bot.notices")
    ids = _notify(ctx, m.id, notices.LOCKED)
    assert len(ids) == 1
    assert [(x["channel"], x["to"]) for x in read_outbox(outbox_path)] == [("email", EMAIL)]
    [warning] = [r for r in caplog.records if r.name == "bot.notices"]
    assert "country_refused" in warning.getMessage() and "+32470123456" not in warning.getMessage()


def test_a_member_without_contact_gets_nothing(ctx, engine, outbox_path):
    m = add_member(engine)
    assert _notify(ctx, m.id, notices.LOCKED) == []
    assert read_outbox(outbox_path) == []


def test_an_unknown_kind_is_refused(ctx, member):
    with pytest.raises(ValueError, match="unknown notice"), ctx.session() as session:
        notices.queue_notices(ctx, session, session.get(Member, member.id), "password_changed")
