"""Signed conversation ids and the client key of per-client limits (bot.channels.identity)."""

from __future__ import annotations

import re

import pytest

from bot.channels.identity import client_ip, client_key, is_signed_sender, new_sender, parse_networks
from bot.security import keyed_hash

KEY = "test-secret-key-0123456789"
OTHER_KEY = "test-secret-key-9876543210"


def test_issued_senders_are_random_signed_and_short_enough_for_rest():
    senders = {new_sender(KEY) for _ in range(50)}
    assert len(senders) == 50
    for sender in senders:
        assert re.fullmatch(r"web-[0-9a-f]{32}\.[0-9a-f]{32}", sender)
        assert len(sender) <= 128
        base, signature = sender.split(".")
        assert signature == keyed_hash(KEY, "sender", base)[:32]
        assert is_signed_sender(KEY, sender)
        assert not is_signed_sender(OTHER_KEY, sender)


def _flip(sender: str, index: int) -> str:
    char = sender[index]
    return sender[:index] + ("1" if char == "0" else "0") + sender[index + 1 :]


@pytest.mark.parametrize(
    "make",
    [
        lambda s: _flip(s, 4),  # random part changed
        lambda s: _flip(s, len(s) - 1),  # signature changed
        lambda s: s.split(".")[0],  # no signature
        lambda s: s + "0",
        lambda s: s[:-1],
        lambda s: s.upper(),
        lambda s: s.replace("web-", "app-"),
        lambda s: s + "\n",
        lambda s: "",
        lambda s: None,
        lambda s: "telegram:123456",
        lambda s: "web-" + "0" * 32 + "." + "0" * 32,
    ],
)
def test_altered_or_made_up_senders_are_refused(make):
    assert not is_signed_sender(KEY, make(new_sender(KEY)))


def test_client_key_is_a_keyed_hash_that_does_not_reveal_the_address():
    key = client_key(KEY, "203.0.113.7")
    assert key == keyed_hash(KEY, "client", "203.0.113.7")[:32]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key != client_key(KEY, "203.0.113.8")
    assert key != client_key(OTHER_KEY, "203.0.113.7")
    assert client_key(KEY, "telegram:42") != client_key(KEY, "42")


PROXIES = parse_networks(("127.0.0.1", "10.0.0.0/8", "fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # no trusted proxy in front: the header is the caller's to invent, never read
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        ("203.0.113.7", [], "203.0.113.7"),
        ("11.0.0.1", ["198.51.100.1"], "11.0.0.1"),
        # behind a trusted proxy: the address it appended
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", [], "127.0.0.1"),
        # a client-supplied header is extended by the proxy: the rightmost untrusted address counts
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
        # a chain of trusted proxies is skipped
        ("10.0.0.5", ["198.51.100.1, 10.1.2.3, 10.0.0.9"], "198.51.100.1"),
        ("10.0.0.5", ["10.1.2.3"], "10.1.2.3"),
        # unreadable entries stop the walk at the proxy that wrote them
        ("127.0.0.1", ["not-an-ip"], "127.0.0.1"),
        ("10.0.0.5", ["198.51.100.1, garbage, 10.0.0.9"], "10.0.0.9"),
        # ports, brackets and IPv6
        ("127.0.0.1", ["198.51.100.1:4711"], "198.51.100.1"),
        ("127.0.0.1", ["[2001:db8::1]:4711"], "2001:db8::1"),
        ("127.0.0.1", ["2001:db8::1"], "2001:db8::1"),
        ("fd00::1", ["2001:db8::2"], "2001:db8::2"),
        ("::ffff:127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("2001:db8::3", ["198.51.100.1"], "2001:db8::3"),
        ("", [], "unknown"),
    ],
)
def test_client_ip(peer, forwarded, expected):
    assert client_ip(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_forwarded_for_is_ignored():
    assert client_ip("127.0.0.1", ["198.51.100.1"], parse_networks(())) == "127.0.0.1"
