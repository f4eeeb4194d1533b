"""Where the assistant meets Rasa's server, in two kinds of code.

- :mod:`bot.adapters.extensions`: Rasa's supported extension points, named
  in ``config.yml`` (custom NLU components) and ``endpoints.yml`` (tracker
  and lock stores). Always on; what the product needs (privacy, polite
  answers to unreadable input).
- :mod:`bot.adapters.patches`: measured speed fixes that replace or wrap
  Rasa's private internals. Each states the Rasa version it was written for
  and is skipped, with a warning, on another; ``ASSISTANT_RASA_PATCHES``
  turns them off. Installed by the server entry point
  (``python -m bot.adapters.patches.rasa_main``, started by ``python -m bot serve``).
- :mod:`bot.adapters.resilience`: always installed by that entry point: a
  short apology instead of silence when the action server or a store is
  down, and no turn half-saved; :mod:`bot.adapters.health` probes those
  parts for ``/health``.

The redaction of events (:mod:`bot.privacy.events`) is plain Python over
event dictionaries, with the rest of the privacy code; the tracker store and
the support transcripts use it.
docs/upgrading-rasa.md lists every Rasa symbol both kinds rely on.
"""
