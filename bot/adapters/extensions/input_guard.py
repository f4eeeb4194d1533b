"""Rasa NLU component applying :mod:`bot.input_check` after the classifiers.

Placed last in the pipeline (config.yml): when the message is unreadable,
markup, too long or in another language, it overrides the predicted intent
with ``bad_input`` / ``too_long`` / ``other_language`` (confidence 1), which
rules answer with a polite French message. A custom ``GraphComponent``
registered with ``DefaultV1Recipe``: Rasa's supported extension point.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.input_check import classify_input


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Overrides the intent of messages :func:`bot.input_check.classify_input` refuses."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            verdict = classify_input(message.get(TEXT))
            if verdict is None:
                continue
            intent = {"name": verdict, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
