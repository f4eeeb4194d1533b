"""Error types of the identity checks.

Every parser of :mod:`bot.identity` raises a subclass of :class:`IdentityError`
on bad input. ``reason`` is a stable machine-readable code (for tests, metrics
and form logic). What the member reads is a response of ``domain.yml``
(CONTRIBUTING.md, « Where reply texts live »): ``reply`` names it,
``utter_refused_<field>_<reason>`` (with a ``_<case>`` suffix where one reason
has several sentences), with the values of its variables (the typed text
quoted, a count, a code...); it says what is wrong and how to fix it, and never
repeats a NIR. ``message`` is the same text rendered without Rasa
(:func:`bot.reply.render_text`), for the readers outside the chat (the import
report of the member file).
"""

from __future__ import annotations

from bot.reply import DomainReply


class IdentityError(DomainReply, ValueError):
    """A value typed by the member was refused.

    ``response`` is the name of the refusal in ``domain.yml``, ``values`` the
    values of its variables (strings, never None).
    """

    #: Name of the form slot the error is about.
    field: str = "identity"

    def __init__(self, reason: str, response: str, **values: str) -> None:
        super().__init__(reason, response)
        self.reason = reason
        self.response = response
        self.values: dict[str, str] = dict(values)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r})"


class InvalidNir(IdentityError):
    """The social security number (NIR) is malformed or its key is wrong."""

    field = "nir"


class InvalidDepartment(IdentityError):
    """The birth department is unknown or ambiguous."""

    field = "birth_department"

    def __init__(self, reason: str, response: str, suggestions: list[str] | None = None, **values: str) -> None:
        super().__init__(reason, response, **values)
        #: Closest known departments, formatted like "Loire (42)".
        self.suggestions: list[str] = list(suggestions or [])


class InvalidBirthDate(IdentityError):
    """The birth date cannot be read or is not plausible."""

    field = "birth_date"


class InvalidMobile(IdentityError):
    """The phone number is not a mobile able to receive an SMS."""

    field = "mobile"


class InvalidEmail(IdentityError):
    """The e-mail address is malformed or its domain looks like a typo."""

    field = "email"

    def __init__(self, reason: str, response: str, suggestion: str | None = None, **values: str) -> None:
        super().__init__(reason, response, **values)
        #: Corrected address when ``reason == "typo"`` (also the ``{suggestion}`` of the reply).
        self.suggestion = suggestion
        if suggestion is not None:
            self.values["suggestion"] = suggestion


class InvalidPersonName(IdentityError):
    """A last or first name cannot be accepted as typed (the reply is
    ``utter_refused_last_name_<reason>`` or ``utter_refused_first_name_<reason>``)."""

    field = "name"
