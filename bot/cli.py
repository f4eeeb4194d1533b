"""Command line of the assistant: ``python -m bot <command>``.

Each area registers its own sub-commands (``register(subparsers)``) in the
modules of :data:`COMMAND_MODULES`, so this file only wires them together
and turns expected errors into a one-line message and a non-zero exit code,
never a traceback.  A command module that cannot be imported (missing from
the checkout, or a package it needs not installed) stops every command with
one line naming it and exit code 2: a partial install never loses commands
silently.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable, List

# modules that provide ``register(subparsers)``
COMMAND_MODULES = (
    "bot.serve",
    "bot.replicas",
    "bot.terminal",
    "bot.store.cli",
    "bot.notify.cli",
    "bot.channels.telegram_cli",
    "bot.report.cli",
    "bot.privacy.cli",
)
MISSING_MODULE_EXIT = 2


class CliError(Exception):
    """An expected failure: printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; :class:`CliError` when a command module cannot be imported."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Assistant for mutuelle members.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                why = "is missing"
            else:
                why = f"needs the package {exc.name!r}, which is not installed (run make setup)"
            raise CliError(f"command module {name} {why}", MISSING_MODULE_EXIT) from None
        module.register(subparsers)
    return parser


def main(argv: List[str] | None = None) -> int:
    from bot.settings import SettingsError
    from bot.tenants import TenantError

    try:
        parser = build_parser()
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return int(handler(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except (SettingsError, TenantError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
