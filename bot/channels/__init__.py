"""Rasa input channels of the assistant (web chat + pages, Telegram)."""
