"""Settings that send an app's email to a test SMTP server."""

from tests.helpers.smtp import MailServer

MAIL_SENDER = "Skedjit <events@example.org>"


def mail_settings(server: MailServer) -> dict:
    """Settings that send the app's email to the test SMTP server."""
    return {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_DEFAULT_SENDER": MAIL_SENDER,
    }
