"""Password hashing rules and slug generation."""

import re

import pytest

from skedjit import slugs
from skedjit.passwords import hash_password
from skedjit.passwords import verify_password


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password("correct horse", rounds=4)


def test_hash_is_bcrypt_and_not_the_password(stored_hash):
    assert stored_hash.startswith("$2b$04$")
    assert "correct horse" not in stored_hash


def test_right_password_verifies(stored_hash):
    assert verify_password("correct horse", stored_hash)


@pytest.mark.parametrize("attempt", ["correct hors", "Correct horse", "", None])
def test_other_passwords_do_not_verify(stored_hash, attempt):
    assert not verify_password(attempt, stored_hash)


@pytest.mark.parametrize("stored", ["", None])
def test_missing_hash_never_verifies(stored):
    assert not verify_password("correct horse", stored)


def test_password_over_72_bytes_never_verifies_and_never_raises():
    seventy_two = "a" * 72
    stored = hash_password(seventy_two, rounds=4)
    assert verify_password(seventy_two, stored)
    assert not verify_password(seventy_two + "b", stored)


@pytest.mark.parametrize("password", ["", "a" * 73, "é" * 37])
def test_hashing_refuses_what_bcrypt_cannot_take_whole(password):
    with pytest.raises(ValueError, match="72 bytes"):
        hash_password(password, rounds=4)


def test_alphabet_has_57_unambiguous_symbols():
    assert len(slugs.ALPHABET) == len(set(slugs.ALPHABET)) == 57
    assert not set("0O1lI") & set(slugs.ALPHABET)


def test_new_slugs_match_the_url_pattern_and_differ():
    drawn = {slugs.new_slug() for _ in range(200)}
    assert len(drawn) == 200
    assert all(re.fullmatch(slugs.PATTERN, slug) for slug in drawn)
