"""An SMS code not delivered: the activation says the delivery-problem response of domain.yml."""

from __future__ import annotations

import pytest
from helpers.responses import rendered_message
from rasa_sdk.executor import CollectingDispatcher

from actions.activation import _sms_problem
from bot.activation import otp
from bot.context import Context
from bot.notify import FAILED, QUEUED, DeliveryResult


@pytest.mark.parametrize(
    ("status", "response", "expected"),
    [
        (
            FAILED,
            "utter_delivery_problem_sms_write",
            "Le SMS n'a pas pu être envoyé pour le moment. Vérifiez le numéro de mobile indiqué, puis demandez un "
            "nouveau code dans quelques minutes. Si le problème persiste, écrivez à "
            "digital.assistance-miel@malakoffhumanis.com.",
        ),
        (
            QUEUED,
            "utter_delivery_problem_sms",
            "Le SMS n'a pas pu être envoyé pour le moment. Vérifiez le numéro de mobile indiqué, puis demandez un "
            "nouveau code dans quelques minutes.",
        ),
    ],
)
def test_an_sms_not_delivered_is_said_from_the_domain(
    monkeypatch: pytest.MonkeyPatch, ctx: Context, status: str, response: str, expected: str
) -> None:
    monkeypatch.setattr("bot.context._context", ctx)
    dispatcher = CollectingDispatcher()
    start = otp.ChallengeStart(outcome=otp.SENT, delivery=DeliveryResult(status, "sms", 1, "06 ** ** ** 12"))
    _sms_problem(dispatcher, start)
    assert [message["response"] for message in dispatcher.messages] == [response]
    assert rendered_message(dispatcher.messages[0], ctx.tenant)["text"] == expected
