"""Test support shared by the suites (importable as ``support.*``: ``tests/`` is on
the path): free local ports, a real SMTP server, a driven clock, the outbox file.

The per-test databases are in ``tests/db_schemas.py``.
"""
