"""SMS delivery: a small adapter interface and two providers.

- :class:`TwilioSmsSender` uses the ``twilio`` package (``SMS_PROVIDER=twilio``
  with ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM``);
- :class:`HttpSmsSender` POSTs ``{"to": "+33...", "body": "..."}`` as JSON to
  a generic gateway (``SMS_PROVIDER=http``, ``SMS_HTTP_URL``, optional bearer
  ``SMS_HTTP_TOKEN``); any 2xx answer means accepted.

Both raise :class:`~bot.notify.base.DeliveryError`; a 4xx refusal (other
than 408/429) is permanent.  Without ``SMS_PROVIDER`` the notifier writes
SMS to the outbox file instead (:mod:`bot.notify.outbox`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from bot.notify.base import DeliveryError, Sms, SmsSender
from bot.privacy import mask_text
from bot.settings import SmsSettings

_TRANSIENT_4XX = {408, 425, 429}


def _is_permanent(status: int) -> bool:
    return 400 <= status < 500 and status not in _TRANSIENT_4XX


class HttpSmsSender:
    """Generic HTTP gateway: JSON POST with an optional bearer token."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def send_sms(self, message: Sms) -> None:
        data = json.dumps({"to": message.to, "body": message.body}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"SMS gateway answered HTTP {exc.code}", permanent=_is_permanent(exc.code)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(f"SMS gateway unreachable: {mask_text(str(reason))}"[:255]) from None
        if not 200 <= status < 300:
            raise DeliveryError(f"SMS gateway answered HTTP {status}", permanent=_is_permanent(status))


class TwilioSmsSender:
    """Twilio's Messages API through the official ``twilio`` client."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, http_client: Any = None) -> None:
        from twilio.rest import Client

        self.from_number = from_number
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def send_sms(self, message: Sms) -> None:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            self.client.messages.create(to=message.to, from_=self.from_number, body=message.body)
        except TwilioRestException as exc:
            raise DeliveryError(
                f"Twilio refused the SMS (HTTP {exc.status}, code {exc.code})", permanent=_is_permanent(exc.status)
            ) from None
        except (TwilioException, OSError) as exc:
            raise DeliveryError(f"Twilio unreachable: {type(exc).__name__}") from None
        except Exception as exc:  # noqa: BLE001 - requests' errors and the like: retry-worthy
            raise DeliveryError(f"Twilio unreachable: {type(exc).__name__}") from None


def make_sms_sender(settings: SmsSettings | None) -> SmsSender | None:
    """The configured provider, or None when SMS go to the outbox file."""
    if settings is None:
        return None
    if settings.provider == "twilio":
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from
        return TwilioSmsSender(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from)
    if settings.provider == "http":
        assert settings.http_url
        return HttpSmsSender(settings.http_url, settings.http_token)
    raise ValueError(f"unknown SMS provider {settings.provider!r}")
