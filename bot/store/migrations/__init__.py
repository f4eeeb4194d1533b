"""Alembic migrations of the member store (run by ``bot.store.migrate``)."""
