"""Speed fixes that replace or wrap Rasa's private internals, each switchable.

Every patch is a module of this package with:

- ``RASA_VERSION``: the Rasa releases it was written and measured for
  (``"3.6.x"``: any 3.6 release; several ranges separated by commas);
- ``install(rasa_version=None) -> bool``: checks the installed Rasa against
  ``RASA_VERSION`` (:func:`rasa_version_supported`), installs the patch
  (a second call changes nothing) and says whether it is in place.

:func:`install_patches` installs the patches the ``ASSISTANT_RASA_PATCHES``
setting enables (``all`` by default, ``none``, or a comma-separated list of
names from :data:`PATCH_NAMES`). A patch written for another Rasa version is
skipped with a warning; one that fails to install is skipped with a warning
too: start-up never stops because of a patch, Rasa's own code runs instead.
Without the patches the assistant behaves the same, only slower.

This module imports only the standard library (``bot.settings`` reads
:data:`PATCH_NAMES`); Rasa is imported by each patch's ``install``.
docs/upgrading-rasa.md lists the Rasa symbols each patch relies on and the
tests comparing its behaviour with Rasa's own.
"""

from __future__ import annotations

import importlib
import logging
from importlib import metadata
from typing import Dict, Iterable

logger = logging.getLogger(__name__)

# name -> what it fixes (bench/README.md has the figures); the names are the
# values of ASSISTANT_RASA_PATCHES and the modules of this package
PATCHES: Dict[str, str] = {
    "action_reply": "action server replies validated by one validator built once, event by event",
    "event_types": "event classes looked up by name in a table instead of a class-tree walk",
    "action_http": "one kept-alive HTTP session per endpoint for calls to the action server",
    "tracker_sql": "tracker store: statements built once, multi-row insert, SQLite in WAL mode",
    "no_jax": "JAX never imported by TensorFlow (about 100 MB and 0.4 s of start-up)",
}
PATCH_NAMES = tuple(PATCHES)

INSTALLED = "installed"
OFF = "off"


def installed_rasa_version() -> str:
    """The version of the installed ``rasa`` distribution (without importing Rasa)."""
    try:
        return metadata.version("rasa")
    except metadata.PackageNotFoundError:
        return "none"


def version_matches(supported: str, actual: str) -> bool:
    """Whether ``actual`` (``"3.6.21"``) is one of the ``supported`` ranges (``"3.6.x"``).

    A range is a dotted version where ``x`` stands for any value
    (``"3.6.x"``, ``"3.x"``); ``"3.6.21"`` is that release only. Several
    ranges are separated by commas.
    """
    got = actual.strip().split(".")
    for spec in supported.split(","):
        parts = spec.strip().split(".")
        if not spec.strip() or len(got) < len(parts):
            continue
        if all(want == "x" or want == have for want, have in zip(parts, got, strict=False)):
            return True
    return False


def rasa_version_supported(patch: str, supported: str, rasa_version: str | None = None) -> bool:
    """The check every patch runs before installing; logs a warning on a mismatch."""
    actual = rasa_version or installed_rasa_version()
    if version_matches(supported, actual):
        return True
    logger.warning(
        "Rasa patch %r not installed: written for Rasa %s, this is Rasa %s. Rasa's own code runs "
        "instead (slower, same behaviour); see docs/upgrading-rasa.md to port or drop the patch.",
        patch.rsplit(".", 1)[-1],
        supported,
        actual,
    )
    return False


def install_patches(enabled: Iterable[str] | None = None, rasa_version: str | None = None) -> Dict[str, str]:
    """Install the ``enabled`` patches (default: the ``ASSISTANT_RASA_PATCHES`` setting).

    Returns each patch's state: ``"installed"``, ``"off"`` (not enabled) or
    ``"skipped: <reason>"``. Never raises because of a patch.
    """
    if enabled is None:
        from bot.settings import get_settings

        enabled = get_settings().rasa_patches
    wanted = set(enabled)
    states: Dict[str, str] = {}
    for name in PATCH_NAMES:
        if name not in wanted:
            states[name] = OFF
            continue
        try:
            module = importlib.import_module(f"{__name__}.{name}")
            done = module.install(rasa_version=rasa_version)
        except Exception as exc:  # noqa: BLE001 - a patch must never stop start-up
            logger.warning(
                "Rasa patch %r not installed: %s: %s. Rasa's own code runs instead; see docs/upgrading-rasa.md.",
                name,
                type(exc).__name__,
                exc,
            )
            states[name] = f"skipped: {type(exc).__name__}"
            continue
        states[name] = INSTALLED if done else "skipped: see the warning above"
    logger.info("Rasa patches: %s", ", ".join(f"{name} {state}" for name, state in states.items()))
    return states


__all__ = ["PATCHES", "PATCH_NAMES", "install_patches", "rasa_version_supported", "version_matches"]
