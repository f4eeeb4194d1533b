"""Run `rasa data validate` (Rasa's defaults: domain.yml, data/, config.yml) and fail on the warnings that matter.

`rasa data validate` prints UserWarnings for problems (an intent without
examples, a response or action used but not declared, contradicting rules,
a slot without mapping...) and for a few things that are by design here.
This script fails on every warning except the allow-listed ones below, each
with the reason it is harmless in this project.

Usage: python tests/check_validation.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ALLOWED = [
    # retrieval intents are answered by custom actions (action_answer_faq /
    # action_answer_contact) that pick the utter_faq/<key> response, so the
    # umbrella responses never appear in a story
    (r"utterance 'utter_(faq|contact)' is not used in any story or rule", "retrieval responses via actions"),
    (r"'utter_(faq|contact)/[a-z_]+' is not used in any story or rule", "retrieval responses via actions"),
    # Rasa merges into the domain a second one it builds from the retrieval
    # intents of the training data (faq, contact), and warns about its own merge
    (r"duplicated intents have been found across multiple domain files: (contact, faq|faq, contact)$",
     "Rasa's merge of retrieval intents"),
    # intents set by bot.adapters.extensions.input_guard at run time, never trained
    (r"intent '(bad_input|too_long|other_language|nlu_fallback)' is listed in the domain file, but is not found in the NLU",
     "set at run time"),
    # responses only sent by custom actions with dispatcher.utter_message(response=...)
    (r"The utterance '(utter_[a-z_]+)' is not used in any story or rule", "sent by a custom action"),
    (r"Slot auto-fill has been removed", "Rasa 3 notice"),
]


def main() -> int:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    warnings = [line.strip() for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    # rasa prints the message on the line after "UserWarning:" for some warnings
    messages = []
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "UserWarning:" in line:
            text = line.split("UserWarning:", 1)[1].strip() or (lines[index + 1].strip() if index + 1 < len(lines) else "")
            messages.append(text)
        elif " WARNING " in line:
            messages.append(line.split(" WARNING ", 1)[1].strip())
    bad = [m for m in messages if not any(re.search(pattern, m) for pattern, _ in ALLOWED)]
    if done.returncode != 0:
        print(output[-6000:], file=sys.stderr)
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    if bad:
        print("rasa data validate: warnings that matter:", file=sys.stderr)
        for message in bad:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print(f"rasa data validate: OK ({len(messages)} allow-listed warnings, {len(warnings)} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
