"""Which language a page, an email or a calendar file is written in (Flask-Babel).

A reader's pages are in the language of their `lang` cookie (set by the footer's menu),
else the best of their browser's Accept-Language among the languages offered, else
English. A language is offered once its catalog is in skedjit/translations/. The
cookie holds the code alone and is not the session: a friend's page with it is still
the page every friend in that language gets (event_page/shared.py).

What the worker writes (emails, reminders) is in the event's language, stored with the
event: the owner's page language at creation. `writing_in(language)` forces it.
"""

from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from babel import localedata
from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import has_request_context
from flask import redirect
from flask import request
from flask_babel import Babel
from flask_babel import force_locale
from flask_babel import get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.http import parse_cookie

from .extensions import csrf

#: The languages Skedjit may speak, by code, each named in itself (the menu shows these).
LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "ar": "العربية",
}
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
COOKIE = "lang"
COOKIE_AGE = timedelta(days=365)
TRANSLATIONS = Path(__file__).parent / "translations"
OFFERED = "skedjit.languages"


def offered_languages(app: Flask) -> dict[str, str]:
    """The languages this app speaks: English, and each with a catalog."""
    return app.extensions[OFFERED]


def _with_catalogs() -> dict[str, str]:
    return {
        code: name
        for code, name in LANGUAGES.items()
        if code == DEFAULT or (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file()
    }


def locale_of(environ, offered: dict[str, str]) -> str:
    """The request's locale: its language, and for English the reader's country when it
    writes dates otherwise than Skedjit's own, British, English ('en_US': 7:30 PM)."""
    language = language_of(environ, offered)
    if language != DEFAULT or DEFAULT != "en":
        return language
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
    for tag, _quality in accepted:
        if tag.lower().startswith("en"):
            country = tag[3:].upper()
            english = f"en_{country}"
            ours = not country or country == "GB"  # Skedjit's English is British
            return english if not ours and localedata.exists(english) else DEFAULT
    return DEFAULT


def language_of(environ, offered: dict[str, str]) -> str:
    """The reader's language for this request (WSGI environ): cookie, browser, English."""
    chosen = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE)
    if chosen in offered:
        return chosen
    tags = {code.replace("_", "-"): code for code in offered}  # as browsers write them
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
    return tags.get(accepted.best_match(tags), DEFAULT)


def only_language_cookie(environ) -> bool:
    """The request carries no cookie but, perhaps, the language's: no session, no answer."""
    header = environ.get("HTTP_COOKIE")
    return header is None or set(parse_cookie(header)) <= {COOKIE}


def current_language() -> str:
    """The language being written in now (the request's, or the one forced): 'en', 'pt_BR'."""
    locale = str(get_locale() or DEFAULT)
    return locale if locale in LANGUAGES else locale.split("_")[0]


def current_locale() -> str:
    """The locale dates are written in now: the language, or 'en_US' and the like."""
    return str(get_locale() or DEFAULT)


def text_direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def html_lang(language: str) -> str:
    """The language as HTML's lang attribute writes it (pt-BR)."""
    return language.replace("_", "-")


def writing_in(language: str | None) -> AbstractContextManager:
    """Write in `language` (an event's) inside the block, e.g. for its emails."""
    offered = offered_languages(current_app)
    return force_locale(language if language in offered else DEFAULT)


bp = Blueprint("language", __name__)


@bp.post("/language")
@csrf.exempt  # as its docstring says
def choose():
    """The footer's menu: keep the language chosen in its cookie, and go back to the page.

    Guarded like every form by cross_origin.py; no token, since every page has the menu
    and the friend's page has no session."""
    language = request.form.get("lang")
    response = redirect(_page_before(), 303)
    if language in offered_languages(current_app):
        response.set_cookie(
            COOKIE,
            language,
            max_age=COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def _page_before() -> str:
    """The page of this site the menu was sent from (its Referer: the page does not echo
    its own address), or the home page."""
    before = urlsplit(request.referrer or "")
    if (before.scheme, before.netloc) != (request.scheme, request.host):
        return "/"
    return before.path + (f"?{before.query}" if before.query else "") or "/"


def _select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    return locale_of(request.environ, offered_languages(current_app))


def init_app(app: Flask) -> None:
    app.extensions[OFFERED] = _with_catalogs()
    Babel(app, locale_selector=_select_locale, default_translation_directories=str(TRANSLATIONS))

    @app.context_processor
    def language_context() -> dict:
        language = current_language()
        return {
            "languages": offered_languages(app),
            "page_lang": html_lang(current_locale()),  # en-US where dates are written so
            "page_dir": text_direction(language),
            "language": language,
        }
