"""What a member's browser gets from the assistant, apart from the chat itself.

- :mod:`bot.web.password_page`: the ``/activation/<token>`` page where a
  member sets the password (both flows), its markup, style and script in
  ``templates/``;
- ``static/``: the chat widget (``widget.js``, ``widget.css``) and the demo
  page, served by :mod:`bot.channels.web`.
"""
