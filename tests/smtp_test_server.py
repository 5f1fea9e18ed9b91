"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, every message kept."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class ReceivedMail:
    """One message the server accepted (or was about to accept)."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str] = field(default_factory=list)

    @property
    def message(self) -> EmailMessage:
        """The message, parsed."""
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Keeps every message; `before_reply` runs after the content arrived, before "250 OK".

    `refuse_recipients` get a permanent 550 at RCPT TO; `data_reply` replaces the 250 (e.g.
    "451 try later"); `drop_connection` closes the socket instead of answering DATA.
    """

    messages: list[ReceivedMail] = field(default_factory=list)
    before_reply: Callable[[Envelope], None] | None = None
    refuse_recipients: set[str] = field(default_factory=set)
    data_reply: str | None = None
    drop_connection: bool = False
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        content = envelope.original_content or b""
        with self.lock:
            self.messages.append(
                ReceivedMail(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    content,
                    list(envelope.mail_options),
                )
            )
        if self.before_reply is not None:
            self.before_reply(envelope)
        if self.drop_connection:
            server.transport.close()
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port nobody listens on right now (so connecting to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpTestServer:
    """The running server: where it listens and what it received."""

    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages


@contextmanager
def smtp_server(
    handler: RecordingHandler | None = None,
    *,
    port: int | None = None,
    credentials: tuple[str, str] | None = None,
    smtputf8: bool = False,
) -> Iterator[SmtpTestServer]:
    """Run aiosmtpd on 127.0.0.1 for the `with` block; `credentials` enables AUTH LOGIN/PLAIN,
    `smtputf8` advertises SMTPUTF8 (RFC 6531: non-ASCII addresses), off like aiosmtpd's default."""
    handler = handler if handler is not None else RecordingHandler()
    kwargs: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
    if credentials is not None:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            if isinstance(data, LoginPassword):
                login = (data.login.decode(), data.password.decode())
                handler.logins.append(login)
                return AuthResult(success=login == credentials, handled=False)
            return AuthResult(success=False, handled=False)

        # No TLS certificate in tests; AUTH over plain text is fine on loopback. The client
        # logs in whenever it has credentials, so AUTH need not be mandatory to be tested.
        kwargs |= {"authenticator": authenticate, "auth_require_tls": False}
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    try:
        yield SmtpTestServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()
