"""The Rasa patches: refused on another Rasa version, switched by ASSISTANT_RASA_PATCHES, never fatal."""

from __future__ import annotations

import importlib
import logging

import pytest

from bot.adapters.patches import (
    INSTALLED,
    OFF,
    PATCH_NAMES,
    install_patches,
    installed_rasa_version,
    version_matches,
)
from bot.settings import load_settings


def _module(name: str):
    return importlib.import_module(f"bot.adapters.patches.{name}")


def _installed() -> set:
    return {name for name in PATCH_NAMES if _module(name).is_installed()}


@pytest.mark.parametrize(
    ("supported", "actual", "expected"),
    [
        ("3.6.x", "3.6.21", True),
        ("3.6.x", "3.6.0", True),
        ("3.6.x", "3.6.0rc1", True),
        ("3.6.x", "3.7.0", False),
        ("3.6.x", "3.60.1", False),
        ("3.6.x", "4.0.0", False),
        ("3.6.x", "3.6", False),
        ("3.6.21", "3.6.21", True),
        ("3.6.21", "3.6.20", False),
        ("3.x", "3.6.21", True),
        ("3.5.x, 3.6.x", "3.6.2", True),
        ("3.5.x, 3.7.x", "3.6.2", False),
        ("", "3.6.2", False),
    ],
)
def test_version_ranges(supported, actual, expected):
    assert version_matches(supported, actual) is expected


@pytest.mark.parametrize("name", PATCH_NAMES)
def test_every_patch_states_the_rasa_version_it_was_written_for(name):
    module = _module(name)
    assert module.RASA_VERSION == "3.6.x"
    assert version_matches(module.RASA_VERSION, installed_rasa_version()), "this Rasa is the one they were written for"
    assert module.__doc__ and callable(module.install) and callable(module.is_installed)


@pytest.mark.parametrize("name", PATCH_NAMES)
@pytest.mark.parametrize("other_version", ["3.7.0", "3.5.17", "4.0.0"])
def test_a_patch_refuses_another_rasa_version_with_a_warning(pristine_rasa, caplog, name, other_version):
    with caplog.at_level(logging.WARNING, logger="bot.adapters.patches"):
        assert _module(name).install(rasa_version=other_version) is False
    assert not _module(name).is_installed()
    warning = " ".join(record.getMessage() for record in caplog.records if record.levelno == logging.WARNING)
    assert repr(name) in warning and "3.6.x" in warning and other_version in warning
    assert "docs/upgrading-rasa.md" in warning


def test_on_another_rasa_version_start_up_goes_on_without_any_patch(pristine_rasa, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.adapters.patches"):
        states = install_patches(PATCH_NAMES, rasa_version="3.7.0")
    assert set(states) == set(PATCH_NAMES)
    assert all(state.startswith("skipped") for state in states.values())
    assert _installed() == set()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == len(PATCH_NAMES)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, set(PATCH_NAMES)),
        ("all", set(PATCH_NAMES)),
        ("none", set()),
        ("event_types", {"event_types"}),
        ("action_reply, action_http", {"action_reply", "action_http"}),
        ("tracker_sql,no_jax", {"tracker_sql", "no_jax"}),
    ],
)
def test_the_setting_chooses_the_patches_installed(pristine_rasa, tmp_path, setting, expected):
    env = {"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_SECRET_KEY": "k" * 32}
    if setting is not None:
        env["ASSISTANT_RASA_PATCHES"] = setting
    states = install_patches(load_settings(env).rasa_patches)
    assert {name for name, state in states.items() if state == INSTALLED} == expected
    assert {name for name, state in states.items() if state == OFF} == set(PATCH_NAMES) - expected
    assert _installed() == expected
    assert install_patches(load_settings(env).rasa_patches) == states  # a second time: the same


def _remove_remote_action_validation(monkeypatch):
    from rasa.core.actions.action import RemoteAction

    monkeypatch.delattr(RemoteAction, "_validate_action_result")


def _remove_event_resolver(monkeypatch):
    from rasa.shared.core.events import Event

    monkeypatch.delattr(Event, "resolve_by_type")


def _remove_endpoint_session(monkeypatch):
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.delattr(EndpointConfig, "session")


@pytest.mark.parametrize(
    ("name", "remove"),
    [
        ("action_reply", _remove_remote_action_validation),
        ("event_types", _remove_event_resolver),
        ("action_http", _remove_endpoint_session),
    ],
)
def test_a_patch_whose_rasa_internal_is_gone_is_skipped_not_fatal(pristine_rasa, monkeypatch, caplog, name, remove):
    """As if a Rasa release had renamed the private symbol the patch replaces."""
    remove(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.patches"):
        states = install_patches(PATCH_NAMES)
    assert states[name].startswith("skipped")
    assert {other for other, state in states.items() if state == INSTALLED} == set(PATCH_NAMES) - {name}
    assert any(repr(name) in record.getMessage() for record in caplog.records if record.levelno == logging.WARNING)
