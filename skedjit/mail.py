"""Email: on only when a mail server is configured; each message to one address.

The worker sends them (outbox.py); this module holds the message and the connection.
"""

import smtplib
import ssl
from email.charset import QP
from email.charset import Charset
from email.mime.text import MIMEText

import flask_mail
from flask import Flask
from flask import current_app
from flask_babel import gettext as _

# Text parts in UTF-8, quoted-printable: no line grows past SMTP's limit of 998 characters.
UTF8_QUOTED_PRINTABLE = Charset("utf-8")
UTF8_QUOTED_PRINTABLE.body_encoding = QP


class Message(flask_mail.Message):
    """Flask-Mail's message with text parts that any SMTP server takes.

    Flask-Mail sends UTF-8 text unencoded, so one long line (a description or a note
    without line breaks) would go past SMTP's line limit and be refused, and non-ASCII
    text would need a server that takes 8-bit data.
    """

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        return MIMEText(text or "", _subtype=subtype, _charset=UTF8_QUOTED_PRINTABLE)


class TimedConnection(flask_mail.Connection):
    """Flask-Mail's SMTP connection, with a timeout and TLS that checks the server's certificate.

    Flask-Mail connects without a timeout, and smtplib's TLS trusts any certificate.
    """

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(
                self.mail.server, self.mail.port, timeout=timeout, context=context
            )
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        try:
            if self.mail.use_tls:
                host.starttls(context=context)
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host


class Mailer(flask_mail.Mail):
    """Flask-Mail, bound only when MAIL_SERVER is set: email is optional."""

    def init_app(self, app: Flask) -> None:
        app.add_template_global(mail_enabled)
        if not app.config.get("MAIL_SERVER"):
            return
        if not app.config.get("MAIL_DEFAULT_SENDER"):
            raise RuntimeError("MAIL_SERVER is set but MAIL_DEFAULT_SENDER (the From) is not")
        if app.config.get("MAIL_USE_TLS") and app.config.get("MAIL_USE_SSL"):
            raise RuntimeError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL, not both")
        super().init_app(app)

    def connect(self) -> TimedConnection:
        return TimedConnection(current_app.extensions["mail"])


mailer = Mailer()


def mail_enabled() -> bool:
    """Tell whether this app sends email (MAIL_SERVER is set)."""
    return "mail" in current_app.extensions


def header_text(text: str) -> str:
    """Text for a header: every run of whitespace, line breaks included, made one space."""
    return " ".join(text.split())


def refusal(code: int, reply: bytes | str) -> str:
    """A sentence for a refused message, with the server's own reply."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    said = header_text(text)[:200]
    if 400 <= code < 500:
        return _(
            "The mail server could not take it just now (%(code)s %(reply)s). Try again later.",
            code=code,
            reply=said,
        )
    return _(
        "The mail server refused it (%(code)s %(reply)s). Check the address.", code=code, reply=said
    )
