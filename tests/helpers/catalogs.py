"""Message catalogs: the messages Skedjit's source asks for, and catalogs made by a test."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

REPO = Path(__file__).resolve().parents[2]
#: gettext's names in the source: the usual ones, and the lazy ones of form classes.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}
#: Pseudo-translations wrap each message in these, so a test sees what went untranslated.
OPEN, CLOSE = "⟦", "⟧"


def source_messages() -> Catalog:
    """Every message the source gives gettext, as `pybabel extract -F babel.cfg` finds them."""
    catalog = Catalog()
    method_map, options_map = _babel_config()
    for filename, lineno, message, comments, context in extract_from_dir(
        REPO, method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _babel_config():
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open() as config:
        return parse_mapping_cfg(config)


def write_catalog(folder: Path, code: str, messages: dict) -> None:
    """Write `code`'s catalog (.po, and the .mo the app reads) with these translations
    (a tuple for a plural message and its forms)."""
    catalog = Catalog(locale=code)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    messages_folder = folder / code / "LC_MESSAGES"
    messages_folder.mkdir(parents=True)
    with (messages_folder / "messages.po").open("wb") as po:
        write_po(po, catalog)
    with (messages_folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)


def pseudo_translations() -> dict:
    """Each message of the source wrapped in ⟦…⟧, its placeholders kept."""
    messages = {}
    for message in source_messages():
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            messages[message.id] = (f"{OPEN}{singular}{CLOSE}", f"{OPEN}{plural}{CLOSE}")
        else:
            messages[message.id] = f"{OPEN}{message.id}{CLOSE}"
    return messages
