"""pytest plugin: a real SMTP server (aiosmtpd) on 127.0.0.1 that tests send email to.

    def test_restock_email(smtp_server):
        with transport_from_url(smtp_server.url).connect() as connection:
            connection.send(message)
        [received] = smtp_server.wait_for(1)
        assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

The server can also misbehave on demand: `fail_next(n)` answers 421 to the next n transactions,
`reject(address, reply)` refuses one recipient, `stop()` / `start()` take it down and up on the same port.
(This module shadows the standard library's `mailbox` in the test process: do not import
`aiosmtpd.handlers`, which needs the real one.)
"""

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Delivery:
    """One message the server accepted: envelope, parsed message, its bytes, and which SMTP session brought it."""

    mail_from: str
    recipients: list
    message: EmailMessage
    raw: bytes
    session: int


class Mailbox:
    """An aiosmtpd server with a record of what it received and switches to make it fail."""

    def __init__(self, *, ssl_context=None, tls_context=None, credentials=None):
        """ssl_context: implicit TLS (smtps); tls_context: offer STARTTLS; credentials: (user, password) to accept."""
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._ssl_context = ssl_context
        self._tls_context = tls_context
        self._credentials = credentials
        self._controller = None
        self._changed = threading.Condition()
        self._deliveries = []
        self._sessions = 0
        self._logins = []
        self._failures = []  # replies for the next transactions, in order
        self._rejected = {}  # lower-cased address → reply

    @property
    def url(self):
        return f"{'smtps' if self._ssl_context else 'smtp'}://{self.host}:{self.port}"

    @property
    def deliveries(self):
        with self._changed:
            return list(self._deliveries)

    @property
    def messages(self):
        """The accepted messages, parsed with the default policy, oldest first."""
        return [delivery.message for delivery in self.deliveries]

    @property
    def recipients(self):
        """Every envelope recipient of every accepted message, in order."""
        return [address for delivery in self.deliveries for address in delivery.recipients]

    @property
    def sessions(self):
        """How many SMTP sessions (connections that said EHLO or HELO) the server has seen."""
        with self._changed:
            return self._sessions

    @property
    def logins(self):
        """(user, password) of each successful AUTH."""
        with self._changed:
            return list(self._logins)

    def fail_next(self, count, code=421, text="4.7.0 Try again later"):
        """Answer `code text` to MAIL FROM of the next `count` transactions."""
        with self._changed:
            self._failures.extend([f"{code} {text}"] * count)

    def reject(self, address, reply="550 5.1.1 No such user"):
        """Refuse RCPT TO `address` with `reply` from now on."""
        with self._changed:
            self._rejected[address.lower()] = reply

    def wait_for(self, count, timeout=5.0):
        """The accepted messages once there are at least `count`; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} messages within {timeout} s, got {len(self._deliveries)}")
                self._changed.wait(left)
            return [delivery.message for delivery in self._deliveries]

    def clear(self):
        with self._changed:
            self._deliveries.clear()

    def start(self):
        """Listen (again) on the same port."""
        if self._controller is not None:
            return
        options = {}
        if self._tls_context:
            options["tls_context"] = self._tls_context
        if self._credentials:
            options["authenticator"] = self._authenticate
            # aiosmtpd only counts STARTTLS as TLS; under implicit TLS (or none) AUTH must be allowed as is.
            options["auth_require_tls"] = bool(self._tls_context)
        controller = _Controller(self, hostname=self.host, port=self.port, ssl_context=self._ssl_context,
                                 server_hostname="mailbox.test", **options)
        controller.start()
        self._controller = controller

    def stop(self):
        """Go down: close every open session and stop listening, so clients see resets and refusals."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        if controller.loop.is_running():
            # Without this, sessions already open would hang their clients until the clients' timeout.
            async def drop_sessions():
                for protocol in controller.protocols:
                    if protocol.transport is not None:
                        protocol.transport.abort()

            asyncio.run_coroutine_threadsafe(drop_sessions(), controller.loop).result(timeout=5)
        controller.stop()

    # aiosmtpd handler hooks (run on the server's thread)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self._count_session(server)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self._count_session(server)
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._changed:
            if self._failures:
                return self._failures.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._changed:
            reply = self._rejected.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._changed:
            self._deliveries.append(Delivery(envelope.mail_from, list(envelope.rcpt_tos), message,
                                             envelope.original_content, getattr(server, "_mailbox_session", 0)))
            self._changed.notify_all()
            number = len(self._deliveries)
        return f"250 2.0.0 Ok: queued as {number}"

    def _count_session(self, server):
        # STARTTLS makes the client say EHLO twice in one session: count the connection once.
        if getattr(server, "_mailbox_session", None) is None:
            with self._changed:
                self._sessions += 1
                server._mailbox_session = self._sessions

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == tuple(self._credentials)
        if ok:
            with self._changed:
                self._logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 235/535


class _Controller(Controller):
    """Remembers each session's protocol, so `Mailbox.stop` can drop them."""

    def __init__(self, mailbox, **options):
        super().__init__(mailbox, **options)
        self.protocols = []

    def factory(self):
        protocol = super().factory()
        self.protocols.append(protocol)
        return protocol


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A running Mailbox (plain SMTP on 127.0.0.1), stopped after the test."""
    mailbox = Mailbox()
    mailbox.start()
    yield mailbox
    mailbox.stop()
