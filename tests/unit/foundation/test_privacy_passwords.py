"""Masking of free text (bot.privacy) and the password policy, personal-data and
common-password checks and hashing (bot.passwords)."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from bot.passwords import (
    ADHERENT_NUMBER,
    BIRTH_DATE,
    BIRTH_YEAR,
    FIRST_NAME,
    LAST_NAME,
    TOO_COMMON_MESSAGE,
    TOO_GUESSABLE_MESSAGE,
    PersonalData,
    describe_policy,
    guessability_error,
    hash_password,
    needs_rehash,
    password_errors,
    personal_data_found,
    policy_errors,
    verify_password,
)
from bot.privacy import CODE_MASK, IBAN_MASK, NIR_MASK, mask_text
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
        ("iban FR7630006000011234567890189", ["30006000011234567890189"], [IBAN_MASK]),
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
        ("Bonjour\t2025!", ["aucun caractère invisible (tabulation, retour à la ligne)"]),
        ("Bonjour\x002025!", ["aucun caractère invisible (tabulation, retour à la ligne)"]),
        ("Aa1!" * 40, ["au plus 128 caractères"]),
        ("Aa1!" * 32, []),  # 128: the maximum
        ("Aa1!" * 32 + "x", ["au plus 128 caractères"]),  # 129
        ("Été\u00a02025\u202f!", []),  # no-break spaces of French typography are spaces
        ("Velo 👩\u200d💻 2025 A", []),  # an emoji sequence with a zero-width joiner
        ("Ete2025e\u0301A", ["au moins un caractère spécial (par exemple ! ? @ # % * -)"]),  # an accent is no symbol
        ("ПАРОЛЬ-пароль-7", []),  # any script
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


# ---- personal data, common passwords (zxcvbn) ---------------------------------------------

ME = PersonalData(last_name="Le Gall", first_name="Marie-Hélène", birth_date=date(1975, 3, 8), adherent_number="100002")


@pytest.mark.parametrize(
    "password, kinds",
    [
        ("Legall-Velo-42!", [LAST_NAME]),
        ("LE GALL velo 42!", [LAST_NAME]),
        ("Gall-Velo-42!", [LAST_NAME]),
        ("Le vélo bleu 42!", []),  # "Le" alone is too short to count
        ("Marie-Velo-42!", [FIRST_NAME]),
        ("HÉLÈNE-Velo-42!", [FIRST_NAME]),
        ("helene-Velo-42!", [FIRST_NAME]),
        ("Marie Hélène 42!", [FIRST_NAME]),
        ("Velo-08031975", [BIRTH_DATE]),
        ("Velo-19750308", [BIRTH_DATE]),
        ("Velo-080375", [BIRTH_DATE]),
        ("Velo-750308", [BIRTH_DATE]),
        ("Velo-08/03/1975", [BIRTH_DATE]),
        ("Velo-08-03-1975", [BIRTH_DATE]),
        ("Velo-08.03.1975", [BIRTH_DATE]),
        ("Velo-1975/03/08", [BIRTH_DATE]),
        ("Velo-1975-03-08", [BIRTH_DATE]),
        ("Velo-08/03/75", [BIRTH_DATE]),
        ("Velo 08 03 1975", [BIRTH_DATE]),
        ("Velo-1975!", [BIRTH_YEAR]),
        ("Velo-0803-Rouge", []),  # day and month alone are not a usual form
        ("Velo-100002!", [ADHERENT_NUMBER]),
        ("Velo-100-002!", [ADHERENT_NUMBER]),
        ("Legall-Marie-1975-100002", [LAST_NAME, FIRST_NAME, BIRTH_YEAR, ADHERENT_NUMBER]),
        ("Bonjour-2025!", []),
    ],
)
def test_personal_data_found(password, kinds):
    assert personal_data_found(password, ME) == kinds


@pytest.mark.parametrize(
    "password, message",
    [
        ("Motdepasse1!", TOO_COMMON_MESSAGE),
        ("Azerty123!", TOO_COMMON_MESSAGE),
        ("Password1!", TOO_COMMON_MESSAGE),
        ("Qwerty123!", TOO_COMMON_MESSAGE),
        ("Jetaime1!", TOO_COMMON_MESSAGE),
        ("1234567890Ab!", TOO_COMMON_MESSAGE),
        ("Aa1!Aa1!Aa1!", TOO_GUESSABLE_MESSAGE),  # repetition
        ("Zzzzzzzz9!", TOO_GUESSABLE_MESSAGE),
        ("Bonjour-2025!", None),
        ("Printemps-2025!", None),
        ("Kx7#pQ2m", None),  # 8 random characters: zxcvbn scores 2, but it is only brute force
        ("Le vélo bleu roule vers Saint-Étienne à 7 h !", None),
    ],
)
def test_guessability(password, message):
    assert guessability_error(password) == message


@pytest.mark.parametrize(
    "password, expected",
    [
        ("L3G4ll-Velo-42!", "Ce mot de passe contient votre nom."),  # l33t: only zxcvbn sees it
        ("llaGeL-Velo-42!", "Ce mot de passe contient votre nom."),  # reversed
        ("Velo-Rouge-42!", None),
    ],
)
def test_zxcvbn_gets_the_personal_data_as_user_inputs(password, expected):
    found = guessability_error(password, ME)
    assert (found.split(" Choisissez")[0] if found else None) == expected


@pytest.mark.parametrize(
    "password, expected",
    [
        ("Bonjour-2025!", []),
        ("Bonjour-1", [TOO_COMMON_MESSAGE]),
        ("Bon-1", ["Le mot de passe doit contenir au moins 8 caractères."]),
        ("Password1!", [TOO_COMMON_MESSAGE]),
        (
            "legall-1975",
            [
                "Le mot de passe doit contenir au moins une majuscule.",
                "Ce mot de passe contient votre nom et votre année de naissance. Choisissez-en un sans information "
                "personnelle (nom, prénom, date de naissance, numéro d'adhérent).",
            ],
        ),
        ("Aa1!" + "x" * 125, ["Le mot de passe doit contenir au plus 128 caractères."]),
    ],
)
def test_password_errors_are_full_french_sentences(password, expected):
    assert password_errors(password, POLICY, ME) == expected


@pytest.mark.parametrize("length", [64, 128])
def test_long_passphrases_pass_every_check(length):
    password = ("Le vélo bleu 🚲 roule vers Saint-Étienne à 7 h, sous une pluie fine et tiède ; " * 3)[:length]
    assert len(password) == length and password_errors(password, POLICY, ME) == []


def test_concurrent_checks_keep_their_own_personal_data():
    # zxcvbn keeps the user inputs of a call in a module-level dict: calls are serialised
    martin = PersonalData(last_name="Martin", first_name="Jean", birth_date=date(1980, 10, 14))
    petit = PersonalData(last_name="Petit", first_name="Luc", birth_date=date(1990, 2, 11))
    password = "M4rt1n-Velo-Rouge!"
    expected = {"martin": guessability_error(password, martin), "petit": guessability_error(password, petit)}
    assert expected["martin"] and expected["petit"] is None
    results, barrier = [], threading.Barrier(8)

    def check(name, person):
        barrier.wait()
        for _ in range(10):
            results.append((name, guessability_error(password, person)))

    threads = [threading.Thread(target=check, args=p) for p in [("martin", martin), ("petit", petit)] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 80 and all(found == expected[name] for name, found in results)
