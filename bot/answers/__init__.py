"""Answers to the member's questions: FAQ routing and contact replies.

Pure Python, no Rasa import: ``actions/faq.py`` reads the tracker and calls
into these modules, which decide what to say from the tenant profile: a
:class:`bot.reply.Reply` naming a ``domain.yml`` response (``utter_faq/<key>``,
``utter_answer_*``) with the values they compute (lists of services or of
ways to reach the mutuelle, the line's status, the password rules).

- :mod:`bot.answers.selection`: which ``faq/<key>`` or ``contact/<key>`` the
  ResponseSelector chose, from a message's parse data.
- :mod:`bot.answers.faq`: which answer a ``faq/<key>`` gets.
- :mod:`bot.answers.services`: which FAQ keys describe an online service, and
  the answer when the tenant's guide does not describe that service.
- :mod:`bot.answers.hours`: is the phone line open now, when does it reopen.
- :mod:`bot.answers.contact`: the ``contact/<key>`` replies (their phrases
  of the phone, hours and routes come from :mod:`bot.reach`).
- :mod:`bot.answers.account`: account answers built from the profile
  (password rules).
"""
