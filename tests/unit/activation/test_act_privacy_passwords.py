"""Masking of free text (bot.privacy) and the password policy and hashing (bot.passwords)."""

from __future__ import annotations

import pytest

from bot.passwords import describe_policy, hash_password, needs_rehash, policy_errors, verify_password
from bot.privacy import CODE_MASK, NIR_MASK, mask_text
from bot.tenants import PasswordPolicy, load_tenant


@pytest.mark.parametrize(
    "text, gone, kept",
    [
        ("mon numéro 280034200100104", ["280034200100104"], [NIR_MASK]),
        ("NIR : 2 80 03 42 001 001 04 merci", ["001 001"], [NIR_MASK, "merci"]),
        ("sans clé 1 80 10 42 123 456", ["123 456"], [NIR_MASK]),
        ("corse 1 80 10 2A 123 456 78", ["2A 123"], [NIR_MASK]),
        ("code 482913", ["482913"], [CODE_MASK]),
        ("code d'accès 4821 et 12345678", ["4821", "12345678"], [CODE_MASK]),
        ("code d'activation 1753446898276", ["1753446898276"], [CODE_MASK]),
        ("écrivez à marie.dupont@example.org", ["marie.dupont"], ["m***t@example.org"]),
        ("tel 06 12 34 56 78", ["06 12 34 56 78"], ["se terminant par 78"]),
        ("tel 06.12.34.56.78", ["06.12.34"], ["se terminant par 78"]),
        ("mobile +33 6 12 34 56 78", ["+33 6 12"], ["se terminant par 78"]),
        ("uk +447700900123", ["+447700900123"], ["se terminant par 23"]),
        ("iban FR7630006000011234567890189", ["30006000011234567890189"], ["[numéro masqué]"]),
        ("bonjour, 3 essais, 10 minutes", [], ["bonjour, 3 essais, 10 minutes"]),
    ],
)
def test_mask_text(text, gone, kept):
    masked = mask_text(text)
    for secret in gone:
        assert secret not in masked
    for piece in kept:
        assert piece in masked


def test_mask_text_empty():
    assert mask_text(None) == "" and mask_text("") == ""


POLICY = load_tenant("miel").password_policy


@pytest.mark.parametrize(
    "password, expected",
    [
        ("Bonjour-2025!", []),
        ("Été 2025 !", []),  # accents and a space are fine
        ("Ab1!", ["au moins 8 caractères"]),
        ("bonjour-2025", ["au moins une majuscule"]),
        ("BONJOUR-2025", ["au moins une minuscule"]),
        ("Bonjour-tous", ["au moins un chiffre"]),
        ("Bonjour2025", ["au moins un caractère spécial (par exemple ! ? @ # % * -)"]),
        (
            "",
            [
                "au moins 8 caractères",
                "au moins une majuscule",
                "au moins une minuscule",
                "au moins un chiffre",
                "au moins un caractère spécial (par exemple ! ? @ # % * -)",
            ],
        ),
        ("Bonjour-2025!\n", ["aucun caractère invisible (tabulation, retour à la ligne)"]),
        ("Aa1!" * 40, ["au plus 128 caractères"]),
    ],
)
def test_policy_errors(password, expected):
    assert policy_errors(password, POLICY) == expected


def test_stricter_policy_counts():
    policy = PasswordPolicy(min_length=12, upper=2, lower=1, digit=2, special=2)
    assert policy_errors("Abcdefghijk1!", policy) == [
        "au moins 2 majuscules",
        "au moins 2 chiffres",
        "au moins 2 caractères spéciaux (par exemple ! ? @ # % * -)",
    ]
    assert describe_policy(policy) == (
        "au moins 12 caractères, dont 2 majuscules, 1 minuscule, 2 chiffres et 2 caractères spéciaux"
    )


def test_describe_the_guide_policy():
    assert describe_policy(POLICY) == (
        "au moins 8 caractères, dont 1 majuscule, 1 minuscule, 1 chiffre et 1 caractère spécial"
    )


def test_argon2id_hash_and_verify():
    hashed = hash_password("Bonjour-2025!")
    assert hashed.startswith("$argon2id$") and "Bonjour" not in hashed
    assert hashed != hash_password("Bonjour-2025!")  # salted
    assert verify_password(hashed, "Bonjour-2025!")
    assert not verify_password(hashed, "Bonjour-2026!")
    assert not verify_password("not a hash", "x") and not verify_password(None, "x")
    assert not needs_rehash(hashed)
