"""The catalogs: every message of the source translated in every shipped language."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from skedjit import i18n
from tests.helpers.catalogs import source_messages

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
CATALOGS = sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def gaps(po_path: Path) -> list[str]:
    """What a catalog lacks: messages missing, fuzzy or empty, or with other placeholders."""
    with po_path.open("rb") as po:
        catalog = read_po(po)
    found = []
    for wanted in source_messages():
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, wanted.context)
        name = wanted.id[0] if isinstance(wanted.id, tuple) else wanted.id
        if message is None:
            found.append(f"missing: {name!r}")
            continue
        if message.fuzzy:
            found.append(f"fuzzy: {name!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {name!r}")
            continue
        ids = wanted.id if isinstance(wanted.id, tuple) else (wanted.id,)
        expected = set().union(*(set(PLACEHOLDER.findall(text)) for text in ids))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - expected or (
                not isinstance(wanted.id, tuple) and set(PLACEHOLDER.findall(text)) != expected
            ):
                found.append(f"placeholders differ: {name!r} -> {text!r}")
    return found


@pytest.mark.parametrize("po_path", CATALOGS, ids=[path.parts[-3] for path in CATALOGS])
def test_every_message_is_translated_with_the_same_placeholders(po_path):
    assert gaps(po_path) == []


def test_every_language_skedjit_speaks_has_its_catalog():
    assert {path.parts[-3] for path in CATALOGS} == set(i18n.LANGUAGES) - {i18n.DEFAULT}


def test_a_gap_in_a_catalog_is_found(tmp_path):
    """The check above can fail: a catalog missing a message, or with a fuzzy one, or
    with a placeholder renamed, is reported."""
    messages = [m for m in source_messages() if m.id and not isinstance(m.id, tuple)]
    assert len(messages) >= 3
    first, second, third, *rest = messages
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    lines += ["#, fuzzy", f"msgid {quoted(second.id)}", f"msgstr {quoted(second.id)}", ""]
    renamed = PLACEHOLDER.sub("%(other)s", third.id) + " %(other)s"
    lines += [f"msgid {quoted(third.id)}", f"msgstr {quoted(renamed)}", ""]
    po_path = tmp_path / "messages.po"
    po_path.write_text("\n".join(lines), encoding="utf-8")

    found = gaps(po_path)

    assert f"missing: {first.id!r}" in found
    assert f"fuzzy: {second.id!r}" in found
    assert any(line.startswith(f"placeholders differ: {third.id!r}") for line in found)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
