"""Rasa SDK action server: thin actions that call into ``bot``.

One module per topic (session, faq, activation, registration, support,
fallback); ``python -m rasa_sdk --actions actions`` imports them all.
"""
