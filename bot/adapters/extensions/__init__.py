"""Rasa's supported extension points, as used by this assistant.

- :mod:`.input_guard`: NLU component (``config.yml``) giving unreadable,
  markup, over-long and foreign-language messages an intent of their own;
- :mod:`.response_selector`: NLU component (``config.yml``), Rasa's
  ResponseSelector predicting only for retrieval intents;
- :mod:`.tracker_store`: tracker store (``endpoints.yml``) redacting
  secrets before conversations are written;
- :mod:`.lock_store`: lock store (``endpoints.yml``), in memory or our
  cross-replica ticket queue on Redis (:mod:`bot.locks`).

They are always on. What they use of Rasa beyond its documented interfaces
is listed in docs/upgrading-rasa.md.
"""
