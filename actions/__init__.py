"""Rasa SDK action server: thin actions that call into ``bot``.

One module per topic (session, faq, activation, registration, support,
fallback); ``python -m rasa_sdk --actions actions`` imports them all.

Importing the package installs the redaction of log lines
(:mod:`bot.privacy.logs`); the level comes from ``LOG_LEVEL``, which
``python -m bot serve`` sets from ``ASSISTANT_LOG_LEVEL``.
"""

from bot.privacy.logs import install_log_redaction

install_log_redaction()
