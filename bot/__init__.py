"""The mutuelle member assistant: domain logic, configuration, CLI, channels.

Plain Python; Rasa is only imported by the adapters in ``bot.channels`` and
``bot.adapters`` (and by ``actions/``, the Rasa SDK action server).
"""

__version__ = "0.1.0"
