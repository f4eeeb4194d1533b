"""The ResponseSelector of config.yml predicts only for retrieval intents (a tiny model trained here)."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.adapters.extensions.response_selector import RetrievalResponseSelector

TRAINING = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - bonjour
    - salut
    - bonsoir
- intent: faq/horaires
  examples: |
    - quels sont vos horaires
    - vous êtes ouverts quand
- intent: faq/mot_de_passe
  examples: |
    - j'ai oublié mon mot de passe
    - mot de passe perdu
responses:
  utter_faq/horaires:
  - text: "Horaires"
  utter_faq/mot_de_passe:
  - text: "Mot de passe"
"""


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    data = RasaYAMLReader().reads(TRAINING)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), context
    )
    selector = RetrievalResponseSelector.create(
        {**RetrievalResponseSelector.get_default_config(), "epochs": 30, "random_seed": 42},
        storage,
        Resource("selector"),
        context,
    )
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    selector.train(data)

    def parse(text: str, intent: str) -> Message:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        featurizer.process([message])
        message.set(INTENT, {"name": intent, "confidence": 0.9}, add_to_output=True)
        selector.process([message])
        return message

    return parse


@pytest.mark.parametrize(
    ("text", "intent", "expected_key"),
    [
        ("quels sont vos horaires", "faq", "faq/horaires"),
        ("mot de passe oublié", "faq", "faq/mot_de_passe"),
    ],
)
def test_a_retrieval_intent_gets_a_selection(pipeline, text, intent, expected_key):
    selection = pipeline(text, intent).get("response_selector")
    assert selection["all_retrieval_intents"] == ["faq"]
    assert selection["default"]["response"]["intent_response_key"] == expected_key


@pytest.mark.parametrize(("text", "intent"), [("bonjour", "greet"), ("quels sont vos horaires", "nlu_fallback")])
def test_other_intents_get_only_the_list_of_retrieval_intents(pipeline, text, intent):
    assert pipeline(text, intent).get("response_selector") == {"all_retrieval_intents": ["faq"]}
