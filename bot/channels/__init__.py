"""Rasa input channels of the assistant: REST (checked requests), web chat and pages, Telegram.

Shared by them: ``identity`` (server-issued, signed conversation ids; the
client key of per-client limits) and ``payloads`` (typed payload syntax as
plain text, button presses, the length cap before NLU).
"""
