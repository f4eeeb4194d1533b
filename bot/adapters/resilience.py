"""Polite degraded answers when a part of the service is down (always installed in the Rasa process).

:func:`install` changes three things in Rasa, before the server starts
(:mod:`bot.adapters.patches.rasa_main`):

- ``RemoteAction.run``: a call to the action server that cannot connect is
  retried with backoff (:data:`ACTION_RETRY_DELAYS`, the time the supervisor
  of ``bot serve`` needs to notice a crash and restart it is longer, the
  retries cover a blip). When it still fails, or the action server answers
  with a server error (an action that could not reach the member store),
  the turn is abandoned with :class:`TurnAbandoned`. Rasa's own handling
  would log the error, drop the action's events and keep predicting: a
  form would move on without its validation, the member would get silence.
- ``FailSafeTrackerStore``: Rasa's wrapper of the conversation store falls
  back to an empty in-memory conversation when the store fails (the member
  starts over and the next save mixes both). Ours retries the read or the
  write with backoff (:data:`STORE_RETRY_DELAYS`) and then raises
  :class:`ConversationStoreUnavailable`. A write is one transaction that
  appends the events not yet stored, so retrying it never doubles them.
- ``Agent.handle_message``: a turn abandoned for any of these reasons (or
  because the lock store cannot be reached, or the turn lost its
  conversation, :class:`bot.locks.fencing.StaleTurn`) is not saved, and the
  member gets :data:`bot.service_status.SERVICE_APOLOGY` through the
  channel the message came from. The conversation stays where it was
  before that message; the member sends it again once the part is back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, Callable, Tuple

from bot.locks.fencing import StaleTurn
from bot.service_status import SERVICE_APOLOGY

logger = logging.getLogger(__name__)

ACTION_RETRY_DELAYS: Tuple[float, ...] = (0.2, 0.5, 1.0)
STORE_RETRY_DELAYS: Tuple[float, ...] = (0.2, 0.5, 1.0)


class TurnAbandoned(BaseException):
    """The turn cannot be completed: it is not saved and the member gets an apology.

    A ``BaseException`` on purpose: Rasa's ``MessageProcessor._run_action``
    catches every ``Exception`` of an action and carries on with the turn
    without the action's events, which is what must not happen here.
    """


class ConversationStoreUnavailable(RuntimeError):
    """The conversation store could not be read or written, even after retries."""


def _connection_failure(error: BaseException) -> bool:
    """Whether Rasa's error of an action call comes from not reaching the action server at all."""
    import aiohttp

    return isinstance(error.__cause__ or error.__context__, aiohttp.ClientConnectionError)


def _server_error(error: BaseException) -> bool:
    """Whether the action server answered with a 5xx (the action failed on its side).

    Rasa raises its own ``rasa.utils.endpoints.ClientResponseError`` (not aiohttp's) with ``status``.
    """
    from rasa.utils.endpoints import ClientResponseError

    cause = error.__cause__ or error.__context__
    return isinstance(cause, ClientResponseError) and cause.status >= 500


def resilient_action_run(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``RemoteAction.run`` with connection retries and :class:`TurnAbandoned` when the server is down."""
    from rasa.shared.exceptions import RasaException

    @functools.wraps(run)
    async def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        for delay in (*ACTION_RETRY_DELAYS, None):
            try:
                return await run(self, *args, **kwargs)
            except RasaException as error:
                if _connection_failure(error) and delay is not None:
                    await asyncio.sleep(delay)
                    continue
                if _connection_failure(error) or _server_error(error):
                    logger.error("action server unavailable for %s: turn abandoned", self.name())
                    raise TurnAbandoned("action server unavailable") from error
                raise
        raise AssertionError("unreachable")

    wrapped._bot_resilient = True  # type: ignore[attr-defined]
    return wrapped


async def _with_store_retries(what: str, call: Callable[[], Awaitable[Any]]) -> Any:
    for delay in (*STORE_RETRY_DELAYS, None):
        try:
            return await call()
        except StaleTurn:
            raise
        except Exception as error:  # noqa: BLE001 - any store failure: retry, then give up loudly
            if delay is None:
                logger.error("conversation store: %s failed after retries (%s)", what, type(error).__name__)
                raise ConversationStoreUnavailable(what) from error
            logger.warning("conversation store: %s failed (%s), retrying", what, type(error).__name__)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def install_failsafe_store() -> None:
    """Make Rasa's ``FailSafeTrackerStore`` retry and then raise instead of falling back to memory."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> Any:
        return await _with_store_retries("read", lambda: self._tracker_store.retrieve(sender_id))

    async def retrieve_full_tracker(self: Any, sender_id: str) -> Any:
        return await _with_store_retries("read", lambda: self._tracker_store.retrieve_full_tracker(sender_id))

    async def save(self: Any, tracker: Any) -> None:
        await _with_store_retries("write", lambda: self._tracker_store.save(tracker))

    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save


def apologising_handle_message(handle: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``Agent.handle_message`` answering :data:`SERVICE_APOLOGY` when the turn cannot be completed."""
    from rasa.core.lock_store import LockError

    @functools.wraps(handle)
    async def wrapped(self: Any, message: Any) -> Any:
        try:
            return await handle(self, message)
        except (TurnAbandoned, ConversationStoreUnavailable, LockError, StaleTurn) as error:
            logger.error("turn not completed (%s): the member gets an apology", type(error).__name__)
            await message.output_channel.send_text_message(message.sender_id, SERVICE_APOLOGY)
            return None

    wrapped._bot_resilient = True  # type: ignore[attr-defined]
    return wrapped


def install() -> None:
    """Install the three changes above (a second call changes nothing)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent

    if not getattr(RemoteAction.run, "_bot_resilient", False):
        RemoteAction.run = resilient_action_run(RemoteAction.run)
    if not getattr(Agent.handle_message, "_bot_resilient", False):
        Agent.handle_message = apologising_handle_message(Agent.handle_message)
    install_failsafe_store()


__all__ = [
    "ACTION_RETRY_DELAYS",
    "STORE_RETRY_DELAYS",
    "ConversationStoreUnavailable",
    "TurnAbandoned",
    "install",
]
