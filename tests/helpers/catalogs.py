"""Message catalogs made by a test, in a translations folder of its own."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po


def write_catalog(folder: Path, code: str, messages: dict[str, str]) -> None:
    """Write `code`'s catalog (.po, and the .mo the app reads) with these translations."""
    catalog = Catalog(locale=code)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    messages_folder = folder / code / "LC_MESSAGES"
    messages_folder.mkdir(parents=True)
    with (messages_folder / "messages.po").open("wb") as po:
        write_po(po, catalog)
    with (messages_folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
