"""Hand-off to the mutuelle's support (issue 7), framework-free.

``actions/support.py`` reads the tracker and calls into these modules:

- :mod:`bot.support.tickets`: the ticket service (:func:`~bot.support.tickets.create_ticket`:
  stored, e-mailed to support, acknowledged to the member, limited per
  client and conversation);
- :mod:`bot.support.emails`: the French e-mails of a ticket;
- :mod:`bot.support.reason`: why the conversation is handed off, and the
  reasons' labels for the support team;
- :mod:`bot.support.transcript`: the masked transcript of a conversation,
  from its events (plain dicts);
- :mod:`bot.support.replies`: which response of domain.yml the hand-off says (offer, phone
  and opening hours, confirmation, ticket outcome), from the tenant profile.
"""
