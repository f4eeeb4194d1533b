"""SMS providers: the generic HTTP gateway and Twilio, against local HTTP servers."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest
from helpers.ports import free_port
from notify_helpers import HttpSink

from bot.notify import DELIVERED, FAILED
from bot.notify.base import DeliveryError, Sms
from bot.notify.sms import HttpSmsSender, TwilioSmsSender, make_sms_sender
from bot.settings import load_settings
from bot.store.db import session_scope
from bot.store.models import OutboxMessage

BODY = "Votre code d'activation Miel : 123456. Il est valable 10 minutes. Ne le communiquez à personne."


def test_http_gateway_posts_json_with_a_bearer_token(make_notifier, http_sink, engine, outbox_path):
    n = make_notifier(SMS_PROVIDER="http", SMS_HTTP_URL=http_sink.url + "/send", SMS_HTTP_TOKEN="tok-123")
    result = n.send_sms("+33612345678", BODY, kind="activation_code")
    assert result.state == DELIVERED
    [request] = http_sink.requests
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"]) == {"to": "+33612345678", "body": BODY}
    assert not outbox_path.exists()  # a configured provider replaces the file


@pytest.mark.parametrize("status, permanent", [(500, False), (503, False), (429, False), (400, True), (401, True)])
def test_http_gateway_errors(status, permanent):
    sink = HttpSink(status=status)
    try:
        with pytest.raises(DeliveryError) as info:
            HttpSmsSender(sink.url).send_sms(Sms("+33612345678", "x"))
    finally:
        sink.close()
    assert info.value.permanent is permanent and str(status) in str(info.value)


def test_http_gateway_down_fails_the_sms(make_notifier, engine):
    n = make_notifier(SMS_PROVIDER="http", SMS_HTTP_URL=f"http://127.0.0.1:{free_port()}/send")
    result = n.send_sms("+33612345678", BODY, kind="activation_code")
    assert result.state == FAILED and "unreachable" in result.error
    with session_scope(engine) as session:
        assert session.get(OutboxMessage, result.outbox_id).state == "dead"


def _twilio_client_to(sink: HttpSink):
    from twilio.http.http_client import TwilioHttpClient

    class LocalTwilio(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            return super().request(method, url.replace("https://api.twilio.com", sink.url), *args, **kwargs)

    return LocalTwilio()


TWILIO_MESSAGE = {"sid": "SM123", "status": "queued", "to": "+33612345678", "from": "+33700000000", "body": BODY}


def test_twilio_adapter_sends_through_the_messages_api():
    sink = HttpSink(status=201, body=TWILIO_MESSAGE)
    try:
        sender = TwilioSmsSender("AC0123", "auth-token", "+33700000000", http_client=_twilio_client_to(sink))
        sender.send_sms(Sms("+33612345678", BODY))
    finally:
        sink.close()
    [request] = sink.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123/Messages.json"
    form = parse_qs(request["body"].decode("utf-8"))
    assert form == {"To": ["+33612345678"], "From": ["+33700000000"], "Body": [BODY]}
    expected = "Basic " + base64.b64encode(b"AC0123:auth-token").decode()
    assert request["headers"]["Authorization"] == expected


@pytest.mark.parametrize("status, permanent", [(400, True), (500, False)])
def test_twilio_refusal(status, permanent):
    sink = HttpSink(status=status, body={"code": 21211, "message": "Invalid 'To' Phone Number", "status": status})
    try:
        sender = TwilioSmsSender("AC0123", "auth-token", "+33700000000", http_client=_twilio_client_to(sink))
        with pytest.raises(DeliveryError) as info:
            sender.send_sms(Sms("+33612345678", BODY))
    finally:
        sink.close()
    assert info.value.permanent is permanent and "auth-token" not in str(info.value)


@pytest.mark.parametrize(
    "env, kind",
    [
        ({}, type(None)),
        ({"SMS_PROVIDER": "http", "SMS_HTTP_URL": "https://sms.example/send"}, HttpSmsSender),
        (
            {"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+331"},
            TwilioSmsSender,
        ),
    ],
)
def test_provider_from_settings(tmp_path, env, kind):
    settings = load_settings({"ASSISTANT_SECRET_KEY": "k" * 20, "ASSISTANT_VAR_DIR": str(tmp_path), **env})
    assert isinstance(make_sms_sender(settings.sms), kind)
