"""Answers to the member's questions: FAQ routing and contact replies.

Pure Python, no Rasa import: ``actions/faq.py`` reads the tracker and calls
into these modules, which decide what to say from the tenant profile.

- :mod:`bot.answers.selection`: which ``faq/<key>`` or ``contact/<key>`` the
  ResponseSelector chose, from a message's parse data.
- :mod:`bot.answers.services`: which FAQ keys describe an online service, and
  the answer when the tenant's guide does not describe that service.
- :mod:`bot.answers.hours`: is the phone line open now, when does it reopen.
- :mod:`bot.answers.contact`: the ``contact/<key>`` replies.
- :mod:`bot.answers.account`: account answers built from the profile
  (password rules).
"""

from bot.answers.contact import CONTACT_KEYS, contact_answer
from bot.answers.faq import FaqAnswer, answer_faq
from bot.answers.selection import selected_key

__all__ = ["CONTACT_KEYS", "FaqAnswer", "answer_faq", "contact_answer", "selected_key"]
