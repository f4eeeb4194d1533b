"""``python -m bot telegram ...``: operator commands for the Telegram bot.

- ``set-webhook [--url URL]``: tell Telegram to post updates to the assistant
  (default ``ASSISTANT_PUBLIC_URL`` + ``/webhooks/telegram/webhook``), with
  the secret token and only the update kinds the channel handles;
- ``delete-webhook``: stop webhook delivery (needed before ``poll``);
- ``info``: the bot's name and the webhook state, never a secret;
- ``poll``: for a deployment with no public HTTPS address.  Long-polls the
  Bot API (``getUpdates``) and forwards each update, signed with the secret,
  to the running assistant's webhook on 127.0.0.1, so the very same code
  handles it.  **Single instance only**: Telegram hands each update to one
  caller, so two pollers would steal each other's updates (Telegram answers
  the second one with a conflict, reported as an error).

None of these runs at start-up: the assistant itself never calls Telegram
until it has something to send.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
from typing import Any, Dict
from urllib.parse import urlparse, urlunparse

from bot.cli import CliError

ERROR_PAUSE_MAX = 30.0
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _settings():
    from bot.settings import get_settings

    settings = get_settings()
    if settings.telegram is None:
        raise CliError("TELEGRAM_TOKEN is not set: create a bot with @BotFather and set TELEGRAM_TOKEN")
    return settings


def _require_secret(settings: Any) -> str:
    secret = settings.telegram.webhook_secret
    if not secret:
        raise CliError(
            "TELEGRAM_WEBHOOK_SECRET is not set: the assistant refuses unsigned Telegram updates "
            "(choose a random value of letters, digits, '_' or '-')"
        )
    return secret


def is_local_host(host: str | None) -> bool:
    if not host:
        return False
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str, api_base_url: str | None) -> str:
    """Validate the webhook address; returns it or raises :class:`CliError`.

    Telegram's cloud only delivers to https; plain http is accepted when the
    Bot API server itself is local (a self-hosted server or the tests' fake).
    """
    from bot.channels.telegram import api_urls

    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise CliError(f"not a web address: {url!r}")
    if parsed.username or parsed.password:
        raise CliError("the webhook address must not contain a user name or password")
    api_local = is_local_host(urlparse(api_urls(api_base_url)[0]).hostname)
    if parsed.scheme != "https" and not api_local:
        raise CliError(
            f"Telegram only delivers to https addresses, not {url!r}: set ASSISTANT_PUBLIC_URL to the public "
            "https address (or pass --url), or use `python -m bot telegram poll` instead"
        )
    return url


def _public(url: str | None) -> str:
    """An address without user info, query or fragment (safe to print)."""
    if not url:
        return "(none)"
    parsed = urlparse(url)
    netloc = parsed.hostname or ""
    if parsed.port:
        netloc += f":{parsed.port}"
    return urlunparse((parsed.scheme, netloc, parsed.path, "", "", ""))


def _run(settings: Any, job: Any) -> Any:
    """Run ``job(bot)`` and turn Bot API failures into one-line CLI errors."""
    from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, TelegramError

    from bot.channels.telegram import api_host, close_bot, describe_error, make_bot, quiet_http_loggers

    quiet_http_loggers()
    token = settings.telegram.token
    host = api_host(settings.telegram.api_base_url)

    async def main() -> Any:
        bot = make_bot(settings.telegram, read_timeout=20.0)
        try:
            return await job(bot)
        finally:
            await close_bot(bot)

    try:
        return asyncio.run(main())
    except CliError:
        raise
    except (InvalidToken, Forbidden) as exc:
        raise CliError(f"the Bot API at {host} rejected TELEGRAM_TOKEN ({describe_error(exc, token)})") from None
    except Conflict as exc:
        raise CliError(
            "another process is already receiving this bot's updates (a webhook or a second `poll`): "
            f"polling is single-instance only ({describe_error(exc, token)})"
        ) from None
    except NetworkError as exc:
        # BadRequest is a NetworkError subclass in PTB: it means the API answered
        from telegram.error import BadRequest

        if isinstance(exc, BadRequest):
            raise CliError(f"the Bot API at {host} refused the request: {describe_error(exc, token)}") from None
        raise CliError(f"cannot reach the Telegram Bot API at {host} ({describe_error(exc, token)})") from None
    except TelegramError as exc:
        raise CliError(f"the Bot API at {host} answered with an error: {describe_error(exc, token)}") from None


# --------------------------------------------------------------------------- webhook commands


def _set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram import ALLOWED_UPDATES, WEBHOOK_PATH

    settings = _settings()
    secret = _require_secret(settings)
    url = check_webhook_url(args.url or settings.public_url + WEBHOOK_PATH, settings.telegram.api_base_url)

    async def job(bot: Any) -> Any:
        return await bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=args.drop_pending_updates or None,
        )

    _run(settings, job)
    print(f"webhook set: {_public(url)} (updates: {', '.join(ALLOWED_UPDATES)}; secret token: configured)")
    return 0


def _delete_webhook(args: argparse.Namespace) -> int:
    settings = _settings()

    async def job(bot: Any) -> Any:
        return await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates or None)

    _run(settings, job)
    print("webhook deleted: Telegram keeps updates until `python -m bot telegram poll` or a new webhook fetches them")
    return 0


def _info(args: argparse.Namespace) -> int:
    from bot.channels.telegram import api_host

    settings = _settings()

    async def job(bot: Any) -> Any:
        return await bot.get_me(), await bot.get_webhook_info()

    me, info = _run(settings, job)
    print(f"bot:              @{me.username} (id {me.id})")
    print(f"bot API:          {api_host(settings.telegram.api_base_url)}")
    print(f"webhook:          {_public(info.url) if info.url else '(none: updates wait for `poll`)'}")
    print(f"pending updates:  {info.pending_update_count}")
    if info.allowed_updates:
        print(f"allowed updates:  {', '.join(info.allowed_updates)}")
    if info.last_error_date:
        print(f"last error:       {info.last_error_date:%Y-%m-%d %H:%M:%S} UTC — {info.last_error_message or ''}")
    print(f"webhook secret:   {'configured' if settings.telegram.webhook_secret else 'NOT SET (updates refused)'}")
    return 0


# --------------------------------------------------------------------------- polling


def _pause(failures: int) -> float:
    return min(ERROR_PAUSE_MAX, 0.5 * 2 ** min(failures, 6))


async def _forward(client: Any, url: str, secret: str, update: Dict[str, Any], log: Any) -> None:
    """POST one update to the assistant until it is accepted (or refused for good)."""
    import httpx

    from bot.channels.telegram import SECRET_HEADER

    failures = 0
    body = json.dumps(update, ensure_ascii=False).encode("utf-8")
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    while True:
        try:
            resp = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            status = None
            reason = type(exc).__name__
        else:
            status = resp.status_code
            reason = f"HTTP {status}"
            if 200 <= status < 300:
                return
            if status == 403:
                raise CliError(
                    f"the assistant at {url} refused the update (403): "
                    "its TELEGRAM_WEBHOOK_SECRET differs from this one"
                )
            if status == 404:
                raise CliError(f"the assistant at {url} has no Telegram channel (is TELEGRAM_TOKEN set for it?)")
            if status == 400:
                log(f"update {update.get('update_id')} refused as malformed by the assistant: skipped")
                return
        failures += 1
        pause = _pause(failures)
        log(f"the assistant at {url} is not answering ({reason}); retrying in {pause:.0f} s")
        await asyncio.sleep(pause)


def _poll(args: argparse.Namespace) -> int:
    from bot.channels.telegram import ALLOWED_UPDATES, WEBHOOK_PATH

    settings = _settings()
    secret = _require_secret(settings)
    forward_url = args.forward_url or f"http://127.0.0.1:{settings.port}{WEBHOOK_PATH}"
    if args.max_updates < 0 or args.timeout < 0:
        raise CliError("--max-updates and --timeout must be positive")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    async def job(bot: Any) -> int:
        import httpx
        from telegram.error import Conflict, NetworkError, TimedOut

        info = await bot.get_webhook_info()
        if info.url:
            raise CliError(
                f"a webhook is set ({_public(info.url)}): Telegram does not answer getUpdates while it is; "
                "run `python -m bot telegram delete-webhook` first"
            )
        log(
            f"polling Telegram updates and forwarding them to {forward_url} "
            "(single instance only: never run two pollers for one bot; Ctrl-C to stop)"
        )
        offset: int | None = None
        forwarded = 0
        failures = 0
        async with httpx.AsyncClient(timeout=120.0, trust_env=False) as client:
            try:
                while not args.max_updates or forwarded < args.max_updates:
                    try:
                        updates = await bot.get_updates(
                            offset=offset,
                            timeout=args.timeout,
                            allowed_updates=list(ALLOWED_UPDATES),
                            read_timeout=args.timeout + 15,
                        )
                    except Conflict:
                        raise
                    except TimedOut:
                        continue
                    except NetworkError as exc:
                        failures += 1
                        pause = _pause(failures)
                        log(f"Telegram is not answering ({type(exc).__name__}); retrying in {pause:.0f} s")
                        await asyncio.sleep(pause)
                        continue
                    failures = 0
                    for update in updates:
                        await _forward(client, forward_url, secret, update.to_dict(), log)
                        offset = update.update_id + 1
                        forwarded += 1
                        if args.max_updates and forwarded >= args.max_updates:
                            break
            finally:
                if offset is not None:
                    # confirm what was forwarded, so it is not delivered again next time
                    try:
                        await bot.get_updates(offset=offset, limit=1, timeout=0)
                    except Exception:  # noqa: BLE001 - best effort on the way out
                        log("could not confirm the last updates to Telegram: they may be forwarded again")
        log(f"forwarded {forwarded} update(s)")
        return forwarded

    _run(settings, job)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("telegram", help="Telegram bot: webhook registration, state and polling")
    sub = parser.add_subparsers(dest="telegram_command", metavar="ACTION")
    sub.required = True

    setter = sub.add_parser("set-webhook", help="have Telegram post updates to this assistant")
    setter.add_argument(
        "--url", default=None, help="webhook address (default ASSISTANT_PUBLIC_URL/webhooks/telegram/webhook)"
    )
    setter.add_argument("--drop-pending-updates", action="store_true", help="forget updates waiting at Telegram")
    setter.set_defaults(handler=_set_webhook)

    deleter = sub.add_parser("delete-webhook", help="stop webhook delivery (before using poll)")
    deleter.add_argument("--drop-pending-updates", action="store_true", help="forget updates waiting at Telegram")
    deleter.set_defaults(handler=_delete_webhook)

    info = sub.add_parser("info", help="bot name and webhook state (no secret shown)")
    info.set_defaults(handler=_info)

    poll = sub.add_parser(
        "poll",
        help="fetch updates from Telegram and forward them to the running assistant (single instance only)",
        description=(
            "For deployments without a public HTTPS address: long-polls Telegram and forwards each update to the "
            "assistant's webhook on this machine. Run exactly one poller per bot: a second one would steal updates."
        ),
    )
    poll.add_argument(
        "--forward-url",
        default=None,
        help="assistant webhook (default http://127.0.0.1:ASSISTANT_PORT/webhooks/telegram/webhook)",
    )
    poll.add_argument("--timeout", type=int, default=30, help="long-polling timeout in seconds (default 30)")
    poll.add_argument(
        "--max-updates", type=int, default=0, help="stop after forwarding this many updates (default: never)"
    )
    poll.set_defaults(handler=_poll)
