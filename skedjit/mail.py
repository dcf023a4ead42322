"""Sending email: on only when a mail server is configured; each message to one address."""

import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.charset import QP
from email.charset import Charset
from email.mime.text import MIMEText

import flask_mail
from flask import Flask
from flask import current_app

from . import mail_limits

log = logging.getLogger(__name__)

UNREACHABLE = "The mail server could not be reached, so it was not sent."
STOPPED = "The mail server stopped answering, so it was not sent."


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


def send_each(messages: Sequence[Message]) -> dict[str, str]:
    """Send messages (one recipient each) over one connection; why each failed one failed.

    A refusal of one message leaves the connection open for the others; a lost or
    refused connection fails every message not yet sent. Nothing is retried here.
    Every message counts against the limits on email (mail_limits.py) first.
    """
    mail_limits.use_reserved(len(messages))  # refused past a limit: nothing is sent
    failures: dict[str, str] = {}
    pending = list(messages)
    try:
        with mailer.connect() as connection:
            while pending:
                message = pending[0]
                try:
                    connection.send(message)
                except smtplib.SMTPRecipientsRefused as error:
                    code, reply = next(iter(error.recipients.values()))
                    failures[message.recipients[0]] = refusal(code, reply)
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                    failures[message.recipients[0]] = refusal(error.smtp_code, error.smtp_error)
                pending.pop(0)
    except OSError as error:  # smtplib's errors are OSErrors too
        reason = STOPPED if len(pending) < len(messages) else UNREACHABLE
        log.warning("mail: %d of %d not sent: %r", len(pending), len(messages), error)
        failures.update((message.recipients[0], reason) for message in pending)
    if failures:
        log.warning("mail: %d of %d refused or not sent", len(failures), len(messages))
    return failures


def refusal(code: int, reply: bytes | str) -> str:
    """A sentence for a refused message, with the server's own reply."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    said = header_text(text)[:200]
    if 400 <= code < 500:
        return f"The mail server could not take it just now ({code} {said}). Try again later."
    return f"The mail server refused it ({code} {said}). Check the address."
