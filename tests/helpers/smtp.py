"""A real SMTP server on 127.0.0.1 that records what it receives, for the email tests.

aiosmtpd runs it in a thread of the test process. A message is recorded before the server
answers 250 to DATA, so once the client has finished sending, `messages` holds it: no
sleeping, no polling. Tests can make the server refuse a recipient or a message the way
real servers do (4xx: try again later, 5xx: give up) to check how the app copes, or
slow to answer each message (slow_down), so that a sender can die in the middle of one.

    server = MailServer()
    server.start()
    with smtplib.SMTP(server.host, server.port) as client:
        client.send_message(message)
    server.messages[0].message["Subject"]
    server.stop()

The tests take the `mail_server` fixture instead: one server for the run, reset per test.
"""

import asyncio
import errno
import re
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from aiosmtpd.smtp import Envelope
from aiosmtpd.smtp import Session

from tests.helpers.ports import free_port

HOST = "127.0.0.1"
SERVER_NAME = "mail.skedjit.test"  # its greeting; the default looks the machine's name up
START_ATTEMPTS = 3  # another process may take the free port before the server binds it
READY_SECONDS = 10
REFUSAL = re.compile(r"[45][0-9][0-9] [^\r\n]+")


@dataclass(frozen=True)
class Received:
    """One message the server accepted: its envelope, its parsed content and its bytes.

    `raw` is the DATA as it came over the wire, lines ending in CRLF; `message` is parsed
    with lines ending in LF, as a mail reader stores it, so a text part's content reads as
    it was written.
    """

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts, in arrival order."""

    host = HOST

    def __init__(self) -> None:
        self._controller: Controller | None = None
        # The handler runs in the server's thread, the test reads and resets in its own.
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._sessions = 0
        self._refused_recipients: dict[str, str] = {}
        self._refused_data: str | None = None
        self._delay = 0.0
        self._in_flight = 0

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._controller is None:
            raise RuntimeError("the mail server is not running: call start() first")
        return self._controller.port

    @property
    def messages(self) -> list[Received]:
        """The messages received so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def wait_for(self, count: int, seconds: float = 15) -> list[Received]:
        """The messages once at least `count` have come (from a worker, say), in time."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages in {seconds} s")
            time.sleep(0.02)
        return self.messages

    @property
    def sessions(self) -> int:
        """How many connections greeted the server (HELO or EHLO) so far."""
        with self._lock:
            return self._sessions

    def start(self, port: int | None = None) -> None:
        """Listen on the port of 127.0.0.1, or a free one (another if that is taken meanwhile)."""
        for attempt in range(1, START_ATTEMPTS + 1):
            controller = Controller(
                _Handler(self),
                hostname=HOST,
                port=port or free_port(),
                server_hostname=SERVER_NAME,
                enable_SMTPUTF8=True,
                ready_timeout=READY_SECONDS,
            )
            try:
                controller.start()
            except OSError as error:
                if error.errno != errno.EADDRINUSE or port:
                    raise
                # The server's thread gave up before running its event loop; close it here.
                controller.loop.close()
                if attempt == START_ATTEMPTS:
                    raise
            else:
                self._controller = controller
                return

    def stop(self) -> None:
        """Stop listening and end the server's thread."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_recipient(self, address: str, reply: str) -> None:
        """Answer RCPT TO for this address (any case) with a 4xx or 5xx reply from now on."""
        with self._lock:
            self._refused_recipients[address.casefold()] = _refusal(reply)

    def refuse_data(self, reply: str) -> None:
        """Answer every message with a 4xx or 5xx reply from now on, and keep none."""
        with self._lock:
            self._refused_data = _refusal(reply)

    def slow_down(self, seconds: float) -> None:
        """Take this long over each message from now on: keep it, wait, then answer 250.

        A sender that dies meanwhile has handed over a message it never hears was taken,
        as with a real server that is slow to answer."""
        with self._lock:
            self._delay = seconds

    @property
    def in_flight(self) -> int:
        """Messages kept whose 250 the server has not answered yet (see slow_down)."""
        with self._lock:
            return self._in_flight

    def reset(self) -> None:
        """Forget the messages, the session count, the refusals and any slowness."""
        with self._lock:
            self._messages.clear()
            self._sessions = 0
            self._refused_recipients.clear()
            self._refused_data = None
            self._delay = 0.0

    def to(self, address: str) -> list[Received]:
        """The messages received for this address (any case), oldest first."""
        wanted = address.casefold()
        return [
            received
            for received in self.messages
            if wanted in {recipient.casefold() for recipient in received.rcpt_tos}
        ]

    def _count_session(self) -> None:
        with self._lock:
            self._sessions += 1

    def _recipient_refusal(self, address: str) -> str | None:
        with self._lock:
            return self._refused_recipients.get(address.casefold())

    def _in_flight_moves(self, by: int) -> float:
        """Count a message as waiting for its answer, or no longer; the delay to wait."""
        with self._lock:
            self._in_flight += by
            return self._delay

    def _receive(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> str:
        """Keep a message unless messages are refused; the reply to its DATA."""
        message = BytesParser(policy=default).parsebytes(raw.replace(b"\r\n", b"\n"))
        with self._lock:
            if self._refused_data is not None:
                return self._refused_data
            self._messages.append(Received(mail_from, list(rcpt_tos), message, raw))
        return "250 OK"


def _refusal(reply: str) -> str:
    """The reply itself, if it is a 4xx or 5xx SMTP reply with a text."""
    if not REFUSAL.fullmatch(reply):
        raise ValueError(f"not a 4xx or 5xx SMTP reply with a text: {reply!r}")
    return reply


class _Handler:
    """aiosmtpd's hooks (names and arguments are aiosmtpd's); they report to a MailServer."""

    def __init__(self, server: MailServer):
        self.server = server

    def _greeted(self, session: Session, hostname: str) -> None:
        # A client may greet more than once on a connection; count the connection once.
        if session.host_name is None:
            self.server._count_session()
        session.host_name = hostname

    async def handle_HELO(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str
    ) -> str:
        self._greeted(session, hostname)
        return f"250 {server.hostname}"

    async def handle_EHLO(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        self._greeted(session, hostname)
        return responses

    async def handle_RCPT(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.server._recipient_refusal(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        reply = self.server._receive(envelope.mail_from or "", envelope.rcpt_tos, raw)
        delay = self.server._in_flight_moves(+1)
        try:
            if delay:
                await asyncio.sleep(delay)
        finally:
            self.server._in_flight_moves(-1)
        return reply
