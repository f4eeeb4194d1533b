"""The one « where we are » slot: bot.dialogue_step against domain.yml, the rules and the actions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import dialogue_step

ROOT = Path(__file__).resolve().parents[3]
OLD_SLOTS = ("activation_step", "pending_question", "registration_question")


def test_the_slot_values_are_the_steps_of_the_module():
    slot = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["slots"][dialogue_step.SLOT]
    assert slot["type"] == "categorical" and slot["influence_conversation"] is True
    assert tuple(slot["values"]) == dialogue_step.STEPS


def test_every_step_is_namespaced_by_its_flow():
    assert {dialogue_step.flow(step) for step in dialogue_step.STEPS} == {"activation", "registration", "support"}
    assert dialogue_step.flow(None) is None


def test_at_and_current():
    assert dialogue_step.at(dialogue_step.SUPPORT_OFFER) == {"dialogue_step": "support.offer"}
    assert dialogue_step.at(None) == {"dialogue_step": None}
    with pytest.raises(ValueError):
        dialogue_step.at("activation.nowhere")
    assert dialogue_step.current({"dialogue_step": "registration.cgu"}) == "registration.cgu"
    assert dialogue_step.current({"dialogue_step": "cgu"}) is None
    assert dialogue_step.current({}) is None


def test_rules_stories_and_actions_use_only_the_one_slot():
    paths = [
        *ROOT.glob("data/**/*.yml"),
        *ROOT.glob("tests/stories/*.yml"),
        *ROOT.glob("actions/*.py"),
        ROOT / "domain.yml",
    ]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for old in OLD_SLOTS:
            assert old not in text, f"{path}: {old}"
        for value in re.findall(r"dialogue_step: ([\w.]+)", text):
            assert value == "null" or value in dialogue_step.STEPS, f"{path}: {value}"
