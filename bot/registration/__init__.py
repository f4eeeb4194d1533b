"""The SMIE-style registration (issues 6 and 12), framework-free.

``actions/registration.py`` reads the tracker and calls into these modules:

- :mod:`bot.registration.service`: the service (access check and its
  limits, CGU acceptance, the e-mail on file, the confirmation e-mail, the
  13-digit code typed in the chat);
- :mod:`bot.registration.emails`: the confirmation e-mail « Je valide mon
  inscription »;
- :mod:`bot.registration.inputs`: what the member typed (adherent number,
  access code, e-mail, the 13-digit activation code), read leniently;
- :mod:`bot.registration.replies`: which response of domain.yml is said, from the tenant
  profile (no mutuelle fact is written here).

The link of the e-mail opens the password page (:mod:`bot.web.password_page`).
"""
