"""The Miel-style account activation (tenant flow ``nir_sms``), framework-free.

The guide's steps, each a service taking a :class:`bot.context.Context` first
and returning a small frozen dataclass whose ``outcome`` is one of the
string constants of its module:

- :mod:`~bot.activation.extract` - the identity values found in what the
  member types (several per message, corrections);
- :mod:`~bot.activation.identity_match` - step 1: NIR, birth date,
  department and names matched against the store;
- :mod:`~bot.activation.otp` - the one-time code, sent only to the contact
  on file (the mobile, else the e-mail), and its check;
- :mod:`~bot.activation.activation` - step 5: the two e-mails (identifier,
  48 h link to the password page, :mod:`bot.web.password_page`);
- :mod:`~bot.activation.emails` - the French texts of those messages.

Building blocks the registration (:mod:`bot.registration`) and the password
page use too: :mod:`~bot.activation.tokens` (single-use links),
:mod:`~bot.activation.notices` (security notices to the contacts on file),
:mod:`~bot.activation.sms_gate` (countries and budgets of every SMS).
"""
