"""Password hashing rules and slug generation."""

import re
import unicodedata

import bcrypt
import pytest

from skedjit import slugs
from skedjit.passwords import hash_password
from skedjit.passwords import verify_password
from tests.helpers.forms import event_form
from tests.helpers.html import text_of


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


NFC = unicodedata.normalize("NFC", "crème brûlée à deux")
NFD = unicodedata.normalize("NFD", NFC)


def test_a_password_is_the_same_however_its_accents_are_typed():
    assert NFC != NFD
    stored = hash_password(NFD, 4)
    assert verify_password(NFC, stored)
    assert verify_password(NFD, hash_password(NFC, 4))


def test_a_hash_made_from_the_raw_input_before_normalising_still_matches():
    raw = bcrypt.hashpw(NFD.encode(), bcrypt.gensalt(4)).decode()
    assert verify_password(NFD, raw)
    assert not verify_password("something else entirely", raw)


def test_an_event_made_with_one_spelling_opens_with_the_other(
    browser, make_browser, create_event_as
):
    slug = create_event_as(browser, password=NFC, password_confirm=NFC)
    unlock = make_browser().post(f"/events/{slug}/answers/unlock", data={"password": NFD})
    assert unlock.status_code == 303


@pytest.mark.parametrize("password", ["éééé", "\U0001f382\U0001f389", "e\u0301" * 4])
def test_the_minimum_counts_characters_not_bytes(browser, password):
    refused = browser.post("/create", data=event_form(password=password, password_confirm=password))
    assert refused.status_code == 400
    assert "Use at least 8 characters." in text_of(refused)


def test_eight_accented_characters_are_enough(browser):
    password = "é" * 8
    made = browser.post("/create", data=event_form(password=password, password_confirm=password))
    assert made.status_code == 303
