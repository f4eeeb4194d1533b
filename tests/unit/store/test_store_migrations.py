"""The Alembic migrations build exactly the schema of bot/store/models.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect, text

from bot.store import migrate
from bot.store.db import make_engine
from bot.store.models import Base

AT = datetime(2025, 11, 24, 9, 0, tzinfo=timezone.utc)
TABLES = {
    "members",
    "challenges",
    "activation_tokens",
    "consents",
    "audit_events",
    "support_tickets",
    "outbox",
    "send_log",
    "rate_counters",
}


def _diff(url: str, metadata: MetaData) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_and_is_idempotent(db_url: str) -> None:
    assert migrate.upgrade(db_url) == (None, migrate.head_revision())
    assert migrate.upgrade(db_url) == (migrate.head_revision(), migrate.head_revision())
    engine = make_engine(db_url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        migrate.ensure_current(engine)
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    migrate.upgrade(db_url)
    assert _diff(db_url, Base.metadata) == []


def test_the_comparison_sees_a_difference(db_url: str) -> None:
    """Guard for the test above: a column missing from the database is reported."""
    migrate.upgrade(db_url)
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["members"].append_column(Column("nickname", String(20)))
    diff = _diff(db_url, changed)
    assert [(entry[0], entry[3].name) for entry in diff] == [("add_column", "nickname")]


@pytest.mark.parametrize("state", ["never_migrated", "downgraded_to_base"])
def test_ensure_current_refuses_a_database_not_at_head(db_url: str, state: str) -> None:
    if state == "downgraded_to_base":
        migrate.upgrade(db_url)
        command.downgrade(migrate.alembic_config(db_url), "base")
    engine = make_engine(db_url)
    try:
        with pytest.raises(migrate.SchemaNotReady, match="python -m bot db upgrade"):
            migrate.ensure_current(engine)
        assert not TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_0002_adds_the_limits_table_and_binds_codes_to_conversations(db_url: str) -> None:
    """Upgrade 0001 -> 0002 keeps existing challenges (conversation NULL); downgrade removes both again."""
    migrate.upgrade(db_url, "0001")
    engine = make_engine(db_url)
    try:
        inspector = inspect(engine)
        assert "rate_counters" not in inspector.get_table_names()
        assert "conversation" not in {c["name"] for c in inspector.get_columns("challenges")}
        with engine.begin() as connection:
            member_id = connection.execute(
                text(
                    "INSERT INTO members (adherent_number, nir_hash, nir_masked, birth_date, birth_department, "
                    "last_name, first_name, status, version, created_at, updated_at) VALUES ('A1', 'h', 'm', "
                    "'1980-01-01', '42', 'Dupont', 'Marie', 'inactive', 1, :at, :at) RETURNING id"
                ),
                {"at": AT},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO challenges (member_id, channel, purpose, secret_encrypted, counter, "
                    "destination_masked, expires_at, attempts_used, max_attempts, created_at) VALUES "
                    "(:member, 'sms', 'activation', 'x', 0, '+33 ******* 78', :at, 0, 3, :at)"
                ),
                {"member": member_id, "at": AT},
            )
        migrate.upgrade(db_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT member_id, conversation FROM challenges")).all() == [
                (member_id, None)
            ]
        inspector = inspect(engine)
        assert "rate_counters" in inspector.get_table_names()
        assert inspector.get_pk_constraint("rate_counters")["constrained_columns"] == [
            "scope",
            "key_hash",
            "bucket_start",
        ]
        assert "ix_rate_counters_bucket" in {i["name"] for i in inspector.get_indexes("rate_counters")}
        conversation = {c["name"]: c for c in inspector.get_columns("challenges")}["conversation"]
        assert conversation["nullable"] is True
        command.downgrade(migrate.alembic_config(db_url), "0001")
        inspector = inspect(engine)
        assert "rate_counters" not in inspector.get_table_names()
        assert "conversation" not in {c["name"] for c in inspector.get_columns("challenges")}
    finally:
        engine.dispose()
