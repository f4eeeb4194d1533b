"""Adapters that plug the assistant's own parts into Rasa (tracker and lock stores)."""
