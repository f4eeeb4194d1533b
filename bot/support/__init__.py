"""Hand-off to support in the conversation (issue 7), framework-free.

- :mod:`bot.support.transcript`: the masked transcript of a conversation,
  from its events (plain dicts);
- :mod:`bot.support.replies`: the French texts of the hand-off (offer, phone
  and opening hours, confirmation, ticket outcome), from the tenant profile.

The ticket service itself is :func:`bot.activation.support.create_ticket`.
"""
