"""Account activation and registration services, framework-free.

- :mod:`~bot.activation.identity_match` - Miel step 1: match NIR, birth date,
  department and names against the store;
- :mod:`~bot.activation.otp` - one-time codes by SMS/e-mail;
- :mod:`~bot.activation.activation` - Miel step 5: the two e-mails and the
  48 h password link;
- :mod:`~bot.activation.registration` - the SMIE-style registration;
- :mod:`~bot.activation.password_page` - the ``/activation/<token>`` page;
- :mod:`~bot.activation.support` - hand-off tickets to support;
- :mod:`~bot.activation.tokens`, :mod:`~bot.activation.audit` - building blocks.

Every service takes a :class:`Context` first and returns a small frozen
dataclass whose ``outcome`` is one of the string constants of its module.
"""

from bot.activation.context import Context, get_context, reset_context

__all__ = ["Context", "get_context", "reset_context"]
