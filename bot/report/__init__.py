"""The digital team's report (issue 16): activation funnel, registration funnel,
hand-offs, fallback and containment rates, satisfaction, per-day series.

- :mod:`bot.report.steps`: the names (actions, slots, audit events) each step is recognised by;
- :mod:`bot.report.period`: the period (``--since`` / ``--until``, local days);
- :mod:`bot.report.queries`: the SQL (SQLAlchemy Core, SQLite and PostgreSQL) over the
  conversation store and the member store, and the figures built from it;
- :mod:`bot.report.render`: JSON, CSV and the HTML page with its SVG charts;
- :mod:`bot.report.cli`: ``python -m bot report``.

Framework-free: no Rasa import; the conversation store is read as a plain table.
"""
