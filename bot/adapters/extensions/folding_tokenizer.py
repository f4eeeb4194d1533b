"""Rasa tokenizer whose word features ignore accents: « reçu », « recu » and « RECU » are one word.

Members often type without accents (phones, SMS habits); the training data
is written with them. Rasa's ``WhitespaceTokenizer`` splits the words; this
subclass then sets each token's *lemma* to its lower-cased form without
accents. The ``CountVectorsFeaturizer`` (word and character n-grams) reads
the lemma (its ``use_lemma`` default), so « deja recu » and « déjà reçu »
get the same features; the token text, which the other components read, is
left as typed. Registered with ``DefaultV1Recipe`` like Rasa's own
tokenizer: Rasa's supported extension point. No training and no model: it
costs nothing at training time.
"""

from __future__ import annotations

import unicodedata
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message


def fold(word: str) -> str:
    """Lower case, accents removed (œ and æ spelt out): ``"Reçu"`` -> ``"recu"``."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.replace("œ", "oe").replace("æ", "ae")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class AccentFoldingTokenizer(WhitespaceTokenizer):
    """``WhitespaceTokenizer`` with accent-free, lower-case lemmas."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = fold(token.lemma or token.text)
        return tokens


__all__ = ["AccentFoldingTokenizer", "fold"]
