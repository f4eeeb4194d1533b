"""Helpers shared by the test suites (importable as ``helpers.*``: ``tests/`` is
on the path, see ``tests/conftest.py``): free local ports, a real SMTP server,
a driven clock, the outbox file, fictional NIR numbers, members in a store.

The per-test databases are in ``tests/db_schemas.py``; the fixtures built on
these helpers are in ``tests/unit/conftest.py``.
"""
