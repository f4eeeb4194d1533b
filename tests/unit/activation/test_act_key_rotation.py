"""Key rotation on the member look-ups (issue 15), on SQLite and PostgreSQL: with a
new key first and the old one still accepted for reading, a member hashed under
the old key is found by NIR or access code and re-hashed under the new key, so
the old key can then be dropped; member references and encrypted values issued
under the old key keep working meanwhile."""

from __future__ import annotations

from helpers.members import SECRET_KEY, add_member
from sqlalchemy import select

from bot.activation import identity_match
from bot.registration import service
from bot.security import decrypt, encrypt, keyed_hash
from bot.settings import reset_settings_cache
from bot.store.db import session_scope
from bot.store.models import Member

NEW_KEY = "the-new-application-key-0123456789"


def _identity(member, **changes):
    values = {
        "nir": member.nir,
        "birth_date": member.birth_date,
        "birth_department": member.birth_department,
        "last_name": member.last_name,
        "first_name": member.first_name,
    }
    values.update(changes)
    return values


def _row(engine, member_id) -> Member:
    with session_scope(engine) as session:
        row = session.execute(select(Member).where(Member.id == member_id)).scalar_one()
        session.expunge(row)
        return row


def test_a_nir_hashed_under_the_old_key_is_found_and_re_hashed(make_ctx, engine):
    member = add_member(engine)  # hashed under SECRET_KEY
    old_ctx = make_ctx("miel")
    old_ref = old_ctx.member_ref(member.id)
    rotating = make_ctx("miel", ASSISTANT_SECRET_KEY=NEW_KEY, ASSISTANT_SECRET_KEYS_PREVIOUS=SECRET_KEY)
    assert rotating.member_id(old_ref) == member.id  # conversations in flight keep their reference

    # the activation form keeps the hashes under every reading key in its slot
    slot = identity_match.nir_hashes(rotating.settings.secret_keys, member.nir)
    result = identity_match.match_member(rotating, **_identity(member, nir=None), nir_hash=slot)
    assert result.outcome == identity_match.MATCHED
    assert _row(engine, member.id).nir_hash == keyed_hash(NEW_KEY, "nir", member.nir)

    # the old key can go: the new one alone finds the member
    only_new = make_ctx("miel", ASSISTANT_SECRET_KEY=NEW_KEY)
    assert identity_match.match_member(only_new, **_identity(member)).outcome == identity_match.MATCHED
    assert only_new.member_id(old_ref) is None  # references under the dropped key are refused


def test_an_access_code_hashed_under_the_old_key_is_found_and_re_hashed(make_ctx, engine):
    member = add_member(engine)
    rotating = make_ctx("smie", ASSISTANT_SECRET_KEY=NEW_KEY, ASSISTANT_SECRET_KEYS_PREVIOUS=SECRET_KEY)
    result = service.check_access(rotating, member.adherent_number, member.access_code.lower())
    assert result.outcome == service.MATCHED
    assert _row(engine, member.id).access_code_hash == keyed_hash(NEW_KEY, "access_code", member.access_code)
    only_new = make_ctx("smie", ASSISTANT_SECRET_KEY=NEW_KEY)
    assert service.check_access(only_new, member.adherent_number, member.access_code).outcome == service.MATCHED


def test_values_encrypted_under_the_old_key_are_read_meanwhile(monkeypatch, tmp_path):
    sealed = encrypt(SECRET_KEY, "BASE32SECRET")
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", NEW_KEY)
    monkeypatch.setenv("ASSISTANT_SECRET_KEYS_PREVIOUS", SECRET_KEY)
    reset_settings_cache()
    try:
        assert decrypt(NEW_KEY, sealed) == "BASE32SECRET"
    finally:
        reset_settings_cache()
