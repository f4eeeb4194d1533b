"""Error types of the identity checks.

Every parser of :mod:`bot.identity` raises a subclass of :class:`IdentityError`
on bad input. ``reason`` is a stable machine-readable code (for tests, metrics
and form logic); ``message`` is the French sentence shown to the member: it
says what is wrong and how to fix it, and never repeats a NIR.
"""

from __future__ import annotations


class IdentityError(ValueError):
    """A value typed by the member was refused."""

    #: Name of the form slot the error is about.
    field: str = "identity"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r})"


class InvalidNir(IdentityError):
    """The social security number (NIR) is malformed or its key is wrong."""

    field = "nir"


class InvalidDepartment(IdentityError):
    """The birth department is unknown or ambiguous."""

    field = "birth_department"

    def __init__(self, reason: str, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(reason, message)
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

    def __init__(self, reason: str, message: str, suggestion: str | None = None) -> None:
        super().__init__(reason, message)
        #: Corrected address when ``reason == "typo"``.
        self.suggestion = suggestion


class InvalidPersonName(IdentityError):
    """A last or first name cannot be accepted as typed."""

    field = "name"
