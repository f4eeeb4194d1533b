"""Check that the NLU test set (tests/nlu) is held out: fresh sentences for every intent.

Fails (exit 1) when
- a sentence of tests/nlu equals a training example of data/nlu (case-, accent-
  and space-insensitive: "Je veux  activer" = "je veux activer");
- a sentence appears twice in tests/nlu;
- an intent or retrieval intent (faq/<key>, contact/<key>) of data/nlu has fewer
  than MIN_SENTENCES sentences in tests/nlu, or tests/nlu names one that is not trained.

``rasa test`` (make test-rasa) then measures the model on these sentences only,
with the thresholds of tests/rasa_thresholds.yml. tests/conftest.py uses
:func:`training_examples` to refuse conversation tests that open with a training
example (tests/layer_guard.py).

Usage: python tests/check_test_sentences.py
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "data" / "nlu"
TEST_SET = ROOT / "tests" / "nlu"
MIN_SENTENCES = 3  # per intent and per retrieval intent


def normalise(sentence: str) -> str:
    """Lower case, accents and spaces removed: what makes two sentences the same one."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", sentence)  # [value](entity) annotations
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", "", text)


def examples(folder: Path) -> Iterable[Tuple[Path, str, str]]:
    """``(file, intent, sentence)`` for every example of the NLU files of ``folder``."""
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue  # regex, lookup, synonym
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield path, block["intent"], line[2:].strip()


def training_examples() -> Dict[str, str]:
    """Normalised training sentence -> its intent."""
    return {normalise(sentence): intent for _, intent, sentence in examples(TRAINING)}


def problems() -> Tuple[List[str], Dict[str, int]]:
    trained = training_examples()
    trained_intents = {intent for intent in trained.values()}
    per_intent: Dict[str, int] = defaultdict(int)
    seen: Counter = Counter()
    found: List[str] = []
    for path, intent, sentence in examples(TEST_SET):
        key = normalise(sentence)
        where = f"{path.relative_to(ROOT)} ({intent})"
        if key in trained:
            found.append(f"{where}: {sentence!r} is a training example of {trained[key]} in data/nlu")
        seen[key] += 1
        if seen[key] == 2:
            found.append(f"{where}: {sentence!r} appears more than once in tests/nlu")
        if intent not in trained_intents:
            found.append(f"{where}: intent {intent!r} is not in data/nlu")
        per_intent[intent] += 1
    for intent in sorted(trained_intents):
        if per_intent[intent] < MIN_SENTENCES:
            found.append(
                f"{intent}: {per_intent[intent]} held-out sentences in tests/nlu, at least {MIN_SENTENCES} needed"
            )
    return found, dict(per_intent)


def main() -> int:
    found, per_intent = problems()
    if found:
        print("tests/nlu is not a held-out test set:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(
        f"tests/nlu: OK ({sum(per_intent.values())} held-out sentences, {len(per_intent)} intents and "
        f"retrieval intents, at least {min(per_intent.values())} each, none in data/nlu)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
