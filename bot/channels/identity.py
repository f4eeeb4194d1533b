"""Who is talking: signed conversation ids and the client key of per-client limits.

**Signed sender ids (web and REST).** The server issues conversation ids
(``POST /webhooks/rest/session``): ``web-<32 hex>.<32 hex>``, a random part
and the first 32 hex digits of ``keyed_hash(secret_key, "sender", "web-<32
hex>")``.  Nothing is stored: any replica sharing ``ASSISTANT_SECRET_KEY``
checks a sender by recomputing the signature, and a caller can neither
choose a conversation id nor guess another member's.

**Client key.** Every message reaching Rasa carries ``metadata["client"]``,
computed by the server, never taken from the caller: the first 32 hex digits
of ``keyed_hash(secret_key, "client", <who>)`` where ``<who>`` is the client's
IP address for web and REST (:func:`client_ip`) and ``telegram:<chat id>`` for
Telegram.  The action server reads it with ``actions.common.client_key``
to apply the per-client limits (``ASSISTANT_LIMIT_CLIENT_*``,
``ASSISTANT_LIMIT_TICKETS_PER_CLIENT``).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from functools import lru_cache
from typing import Iterable, Sequence

from bot.security import constant_time_equal, keyed_hash, reading_keys

WEB_SENDER_PREFIX = "web-"
SIGNATURE_HEX = 32
CLIENT_KEY_HEX = 32
CLIENT_METADATA_KEY = "client"
_SIGNED_SENDER_RE = re.compile(rf"({re.escape(WEB_SENDER_PREFIX)}[0-9a-f]{{32}})\.([0-9a-f]{{{SIGNATURE_HEX}}})")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _signature(secret_key: str, base: str) -> str:
    return keyed_hash(secret_key, "sender", base)[:SIGNATURE_HEX]


def new_sender(secret_key: str) -> str:
    """A fresh signed conversation id ``web-<32 hex>.<signature>``."""
    base = WEB_SENDER_PREFIX + secrets.token_hex(16)
    return f"{base}.{_signature(secret_key, base)}"


def is_signed_sender(secret_key: str, sender: str | None) -> bool:
    """True for a conversation id issued by :func:`new_sender` under ``secret_key`` (or an
    older key still accepted for reading: a rotation does not cut conversations)."""
    match = _SIGNED_SENDER_RE.fullmatch(sender or "")
    if match is None:
        return False
    return any(constant_time_equal(match.group(2), _signature(key, match.group(1))) for key in reading_keys(secret_key))


def client_key(secret_key: str, who: str) -> str:
    """The value of ``metadata["client"]`` for a client (an IP address, ``telegram:<chat id>``)."""
    return keyed_hash(secret_key, "client", who)[:CLIENT_KEY_HEX]


@lru_cache(maxsize=16)
def parse_networks(values: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """``Settings.trusted_proxies`` (already validated strings) as networks (cached)."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _address(value: str) -> IpAddress | None:
    """An address written by a proxy: bare, ``1.2.3.4:port`` or ``[v6]:port``."""
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # an IPv4 client seen through an IPv6 socket is the same client
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IpAddress, networks: Sequence[IpNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(peer: str, forwarded_for: Iterable[str], trusted_proxies: Sequence[IpNetwork]) -> str:
    """The client's IP address.

    ``peer`` is the direct peer (``request.ip``).  Only when it is a trusted
    proxy (``ASSISTANT_TRUSTED_PROXIES``) is ``X-Forwarded-For`` read, from
    the right (the address the trusted proxy appended) to the left, skipping
    trusted proxies: the first address that is not one is the client.  An
    address that cannot be read stops the walk at the proxy that wrote it,
    and when every hop is trusted the leftmost one is the client.
    """
    address = _address(peer)
    if address is None:
        return peer.strip() or "unknown"
    if not _trusted(address, trusted_proxies):
        return str(address)
    hops = [part for header in forwarded_for for part in header.split(",") if part.strip()]
    for hop in reversed(hops):
        hop_address = _address(hop)
        if hop_address is None:
            return str(address)
        address = hop_address
        if not _trusted(address, trusted_proxies):
            return str(address)
    return str(address)


__all__ = [
    "CLIENT_METADATA_KEY",
    "WEB_SENDER_PREFIX",
    "client_ip",
    "client_key",
    "is_signed_sender",
    "new_sender",
    "parse_networks",
]
