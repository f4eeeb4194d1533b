"""Check `rasa test` results against tests/rasa_thresholds.yml; exit 1 below a threshold.

Usage: python tests/check_rasa_results.py RESULTS_DIR
Prints a small table of the measured figures (copied into the README).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def _json(path: Path) -> dict:
    if not path.exists():
        raise SystemExit(f"missing {path}: did `rasa test` run?")
    return json.loads(path.read_text(encoding="utf-8"))


def main(results: Path) -> int:
    limits = yaml.safe_load((HERE / "rasa_thresholds.yml").read_text(encoding="utf-8"))
    failures = []
    rows = []

    core = _json(results / "core" / "story_report.json")
    action_accuracy = core.get("accuracy", 0.0)
    failed_file = results / "core" / "failed_test_stories.yml"
    failed_text = failed_file.read_text(encoding="utf-8") if failed_file.exists() else ""
    failed = failed_text.count("- story:")
    rows.append(("core action accuracy", action_accuracy, limits["core"]["action_accuracy"]))
    rows.append(("core failed stories", failed, limits["core"]["max_failed_stories"]))
    if action_accuracy < limits["core"]["action_accuracy"]:
        failures.append("core action accuracy")
    if failed > limits["core"]["max_failed_stories"]:
        failures.append(f"{failed} failed test stories (see {failed_file})")

    intent = _json(results / "nlu" / "intent_report.json")
    rows.append(("NLU intent accuracy", intent.get("accuracy", 0.0), limits["nlu"]["intent_accuracy"]))
    if intent.get("accuracy", 0.0) < limits["nlu"]["intent_accuracy"]:
        failures.append("NLU intent accuracy")
    selection_path = results / "nlu" / "response_selection_report.json"
    if selection_path.exists():
        selection = _json(selection_path)
        rows.append(
            ("response selection accuracy", selection.get("accuracy", 0.0), limits["nlu"]["response_selection_accuracy"])
        )
        if selection.get("accuracy", 0.0) < limits["nlu"]["response_selection_accuracy"]:
            failures.append("response selection accuracy")

    print(f"{'measure':32} {'value':>8} {'threshold':>10}")
    for name, value, limit in rows:
        print(f"{name:32} {value:>8.3f} {limit:>10}" if isinstance(value, float) else f"{name:32} {value:>8} {limit:>10}")
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        if failed_text:
            print(failed_text[:4000], file=sys.stderr)
        return 1
    print("rasa test thresholds: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results")))
