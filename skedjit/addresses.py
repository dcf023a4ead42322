"""Email addresses as people type or paste them: checked by their syntax alone."""

import re

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import gettext

#: Between addresses: new lines, commas and semicolons; spaces too, unless the part
#: has a name with it, as in `Ana Lopez <ana@example.org>`.
_PARTS = re.compile(r"[\n,;]+")


class AddressError(ValueError):
    """Text that is not an email address; its message says why, naming the text."""


def check_address(text: str) -> str:
    """The address in `text` (a name with it is dropped), or AddressError saying why not.

    No DNS is asked: a typo in a domain is found only by the mail server.
    """
    try:
        checked = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, allow_display_name=True
        )
    except EmailNotValidError as error:
        # Translators: %(reason)s is email-validator's explanation, which stays in English.
        sentence = gettext(
            "“%(text)s” is not an email address: %(reason)s", text=text, reason=error
        )
        raise AddressError(sentence) from None
    return checked.normalized


def address_key(address: str) -> str:
    """The form of an address that tells two invitees apart: case does not count."""
    return address.lower()


def split_addresses(text: str) -> list[str]:
    """The separate addresses typed into one box, as typed."""
    parts = []
    for part in _PARTS.split(text):
        part = part.strip()
        if "<" in part:
            parts.append(part)
        else:
            parts.extend(part.split())
    return parts


def check_addresses(text: str) -> tuple[list[str], list[str]]:
    """The distinct addresses in the text, in order, and a sentence for each bad one."""
    addresses: dict[str, str] = {}
    errors = []
    for part in split_addresses(text):
        try:
            address = check_address(part)
        except AddressError as error:
            errors.append(str(error))
            continue
        addresses.setdefault(address_key(address), address)
    return list(addresses.values()), errors
