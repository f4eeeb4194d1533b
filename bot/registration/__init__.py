"""The SMIE-style registration as a conversation (issue 6), framework-free.

``actions/registration.py`` reads the tracker and calls into these modules:

- :mod:`bot.registration.inputs`: what the member typed (adherent number,
  access code, e-mail, the 13-digit activation code), read leniently;
- :mod:`bot.registration.replies`: the French texts, built from the tenant
  profile (no mutuelle fact is written here).

The services themselves (store checks, CGU, e-mails) are in
:mod:`bot.activation.registration`.
"""
