"""``bot.reply.render_text``: a response of domain.yml rendered without Rasa, for the
words needed outside the chat (import report, staff commands)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reply import Reply, UnknownResponse, render_text, response_variations

DOMAIN = """
responses:
  utter_plain:
  - text: "Bonjour {name}, votre référence est {ref}."
  utter_conditioned:
  - condition:
    - type: slot
      name: tenant_flow
      value: miel
    text: "Variante Miel"
  - text: "Variante générale {x}"
  utter_channel:
  - channel: telegram
    text: "Telegram"
  - text: "Web"
  utter_only_conditioned:
  - condition:
    - type: slot
      name: tenant_flow
      value: smie
    text: "Seule variante"
"""


@pytest.fixture
def domain(tmp_path: Path) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(DOMAIN, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("reply", "extra", "expected"),
    [
        (
            Reply("utter_plain", {"name": "Mme Durand", "ref": "AB-12"}),
            None,
            "Bonjour Mme Durand, votre référence est AB-12.",
        ),
        (Reply("utter_plain", {"name": "A"}), {"ref": "R", "name": "ignored"}, "Bonjour A, votre référence est R."),
        (Reply("utter_conditioned", {"x": "1"}), None, "Variante générale 1"),
        (Reply("utter_channel"), None, "Web"),
        (Reply("utter_only_conditioned"), None, "Seule variante"),
        (Reply("utter_plain", {"name": "{ref}", "ref": "x"}), None, "Bonjour {ref}, votre référence est x."),
    ],
)
def test_render_text(domain: Path, reply: Reply, extra: dict | None, expected: str) -> None:
    assert render_text(reply, extra, domain_file=domain) == expected


@pytest.mark.parametrize(
    "reply",
    [Reply("utter_missing"), Reply("utter_plain", {"name": "A"})],
)
def test_unknown_response_or_missing_value_is_refused(domain: Path, reply: Reply) -> None:
    with pytest.raises(UnknownResponse):
        render_text(reply, domain_file=domain)


def test_an_edited_domain_is_read_again(domain: Path) -> None:
    assert render_text(Reply("utter_channel"), domain_file=domain) == "Web"
    domain.write_text(DOMAIN.replace('"Web"', '"Web modifié"'), encoding="utf-8")
    import os

    stat = domain.stat()
    os.utime(domain, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert render_text(Reply("utter_channel"), domain_file=domain) == "Web modifié"
    assert len(response_variations("utter_conditioned", domain)) == 2


def test_the_project_domain_is_the_default() -> None:
    assert response_variations("utter_greet")
