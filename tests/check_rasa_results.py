"""Check `rasa test` results against tests/rasa_thresholds.yml; exit 1 below a threshold.

Usage: python tests/check_rasa_results.py RESULTS_DIR

Reads RESULTS_DIR/core/story_report.json (and failed_test_stories.yml),
RESULTS_DIR/nlu/intent_report.json and RESULTS_DIR/nlu/response_selection_report.json;
a missing report is a failure. Checks the overall figures and a floor per
intent and per retrieval intent (faq/<key>, contact/<key>): an intent whose
held-out sentences are all misread fails the build even when the overall
accuracy hides it. Prints the figures and the weakest intents (copied into the README).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

HERE = Path(__file__).resolve().parent
# keys of Rasa's reports that are summaries, not intents
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


class MissingReport(Exception):
    pass


def _json(path: Path) -> dict:
    if not path.exists():
        raise MissingReport(f"missing {path}: did `rasa test` run (and produce it)?")
    return json.loads(path.read_text(encoding="utf-8"))


def per_label(report: dict) -> Dict[str, dict]:
    """The intents (or retrieval intents) of a report that have test sentences."""
    return {
        label: figures
        for label, figures in report.items()
        if label not in SUMMARY_KEYS and isinstance(figures, dict) and figures.get("support", 0) > 0
    }


def check_labels(kind: str, report: dict, floors: dict) -> Tuple[List[str], List[Tuple[str, dict]]]:
    """Failures of the per-label floors (``min_f1``, ``min_recall``, ``min_support``, ``exceptions``)."""
    failures = []
    labels = per_label(report)
    if not labels:
        failures.append(f"{kind}: no {kind} with test sentences in the report")
    exceptions = floors.get("exceptions") or {}
    for label, figures in sorted(labels.items()):
        limits = {**floors, **(exceptions.get(label) or {})}
        f1, recall, support = figures.get("f1-score", 0.0), figures.get("recall", 0.0), figures.get("support", 0)
        if f1 < limits["min_f1"]:
            failures.append(f"{kind} {label}: f1 {f1:.2f} < {limits['min_f1']} ({figures.get('confused_with')})")
        if recall < limits["min_recall"]:
            failures.append(
                f"{kind} {label}: recall {recall:.2f} < {limits['min_recall']} ({figures.get('confused_with')})"
            )
        if support < limits.get("min_support", 0):
            failures.append(f"{kind} {label}: {support} test sentences < {limits['min_support']}")
    for label in exceptions:
        if label not in labels:
            failures.append(f"{kind} {label}: has an exception in rasa_thresholds.yml but no test sentence")
    weakest = sorted(labels.items(), key=lambda item: (item[1].get("f1-score", 0.0), item[0]))
    return failures, weakest


def main(results: Path) -> int:
    limits = yaml.safe_load((HERE / "rasa_thresholds.yml").read_text(encoding="utf-8"))
    failures: List[str] = []
    rows: List[Tuple[str, object, object]] = []

    try:
        core = _json(results / "core" / "story_report.json")
        intent = _json(results / "nlu" / "intent_report.json")
        selection = _json(results / "nlu" / "response_selection_report.json")
    except MissingReport as missing:
        print(f"FAILED: {missing}", file=sys.stderr)
        return 1

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

    nlu = limits["nlu"]
    rows.append(("NLU intent accuracy", intent.get("accuracy", 0.0), nlu["intent_accuracy"]))
    if intent.get("accuracy", 0.0) < nlu["intent_accuracy"]:
        failures.append("NLU intent accuracy")
    rows.append(("response selection accuracy", selection.get("accuracy", 0.0), nlu["response_selection_accuracy"]))
    if selection.get("accuracy", 0.0) < nlu["response_selection_accuracy"]:
        failures.append("response selection accuracy")

    intent_failures, weakest_intents = check_labels("intent", intent, nlu["per_intent"])
    selection_failures, weakest_selections = check_labels("retrieval intent", selection, nlu["per_retrieval_intent"])
    failures += intent_failures + selection_failures

    print(f"{'measure':32} {'value':>8} {'threshold':>10}")
    for name, value, limit in rows:
        shown = f"{value:>8.3f}" if isinstance(value, float) else f"{value:>8}"
        print(f"{name:32} {shown} {limit:>10}")
    for kind, weakest, floors in (
        ("intents", weakest_intents, nlu["per_intent"]),
        ("retrieval intents", weakest_selections, nlu["per_retrieval_intent"]),
    ):
        print(f"weakest {kind} (floor per label: f1 >= {floors['min_f1']}, recall >= {floors['min_recall']}):")
        for label, figures in weakest[:5]:
            print(
                f"  {label:38} f1 {figures.get('f1-score', 0.0):.2f}  recall {figures.get('recall', 0.0):.2f}"
                f"  precision {figures.get('precision', 0.0):.2f}  n={figures.get('support')}"
            )
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        if failed_text:
            print(failed_text[:4000], file=sys.stderr)
        return 1
    print("rasa test thresholds: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results")))
