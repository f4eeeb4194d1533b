"""Rasa's ResponseSelector, run only for messages it can answer.

Rasa runs the ResponseSelector on every message, whatever its intent: a
second neural network (about 4 ms a turn on our 2-core machine, as much as
DIET itself, bench/README.md) whose choice is read only when the intent is
a retrieval intent (``faq``, ``contact``: :mod:`bot.answers.selection`).
:class:`RetrievalResponseSelector` trains and predicts exactly as
ResponseSelector does, but predicts only for messages whose intent (set by
DIET earlier in the pipeline) is one of its retrieval intents; the others
keep just the list of retrieval intents in ``response_selector``, which is
what Rasa's processor checks before reading a selection.

A subclass of a Rasa component, registered with ``DefaultV1Recipe``: Rasa's
supported extension point. It reads the selector's ``retrieval_intent`` and
``all_retrieval_intents`` attributes (docs/upgrading-rasa.md). Its class
path is in ``config.yml`` and in the Makefile's model inputs: moving it
changes Rasa's fingerprint and needs a retraining.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RetrievalResponseSelector(ResponseSelector):
    """ResponseSelector predicting only for messages with a retrieval intent."""

    def answers(self, message: Message) -> bool:
        """Whether ``message``'s intent is one this selector chooses responses for."""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if self.retrieval_intent:
            return intent == self.retrieval_intent
        return intent in self.all_retrieval_intents

    def process(self, messages: List[Message]) -> List[Message]:
        selected = []
        for message in messages:
            if self.answers(message):
                selected.append(message)
                continue
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        if selected:
            super().process(selected)
        return messages


__all__ = ["RetrievalResponseSelector"]
