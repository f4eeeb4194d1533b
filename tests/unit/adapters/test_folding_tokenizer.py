"""The accent-folding tokenizer: Rasa's tokens, with lemmas that ignore accents and case."""

from __future__ import annotations

import pytest
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.adapters.extensions.folding_tokenizer import AccentFoldingTokenizer, fold


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Reçu", "recu"), ("DÉJÀ", "deja"), ("cœur", "coeur"), ("numéro", "numero"), ("recu", "recu"), ("2025", "2025")],
)
def test_fold(word: str, folded: str) -> None:
    assert fold(word) == folded


def test_tokens_keep_their_text_and_get_folded_lemmas() -> None:
    tokenizer = AccentFoldingTokenizer(AccentFoldingTokenizer.get_default_config())
    message = Message(data={TEXT: "Je n'ai pas reçu le Numéro"})
    ours = tokenizer.tokenize(message, TEXT)
    rasa_s = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).tokenize(message, TEXT)
    assert [t.text for t in ours] == [t.text for t in rasa_s]  # same split, same text as Rasa's
    assert [(t.start, t.end) for t in ours] == [(t.start, t.end) for t in rasa_s]
    assert [t.lemma for t in ours] == ["je", "n", "ai", "pas", "recu", "le", "numero"]


def test_count_vectors_read_the_folded_lemma() -> None:
    # the featurizer Rasa runs after us uses the lemma by default: the typed and the trained form are one word
    assert CountVectorsFeaturizer.get_default_config()["use_lemma"] is True
