"""Deliver composed emails: over SMTP in production, to the console for `make run`.

    with transport.connect() as connection:     # one SMTP session for the whole batch
        connection.send(message)                # None, or TemporaryFailure / PermanentFailure

A failed send leaves the connection usable: it is reset, or re-opened on the next send.
"""

import email
import email.policy
import math
import random
import smtplib
import ssl
import sys
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 30.0
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class DeliveryFailure(Exception):
    """A message was not delivered; `reason` says why (an SMTP reply or a connection error)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryFailure):
    """Not delivered for now (4xx reply, server down or unreachable): retry later with backoff."""


class ServerUnreachable(TemporaryFailure):
    """The SMTP server cannot be reached at all (down, refused, timed out): no fault of any one message."""


class PermanentFailure(DeliveryFailure):
    """Refused for good (5xx reply, e.g. "550 5.1.1 No such user"): do not retry."""


def transport_from_url(url, *, ssl_context=None):
    """The transport a BACKORDER_SMTP_URL names.

    None, "" or "console://" → ConsoleTransport; "smtp://user:pass@host:587?starttls=1&timeout=10" or
    "smtps://host" (TLS from the first byte) → SmtpTransport. Raises ValueError for anything else.
    """
    if url is None or not url.strip():
        return ConsoleTransport()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        if parts.netloc or parts.path or parts.query:
            raise ValueError("the console mail URL takes no host or options: use console://")
        return ConsoleTransport()
    if scheme not in ("smtp", "smtps"):
        raise ValueError(f"mail URL scheme must be smtp://, smtps:// or console://, got {scheme + ':' if scheme else url!r}")
    if not parts.hostname:
        raise ValueError("mail URL needs a host, e.g. smtp://user:password@mail.example.com:587?starttls=1")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("mail URL takes no path: smtp://user:password@host:port?starttls=1&timeout=10")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("mail URL has an invalid port (1-65535)") from None
    options = _options(parts.query)
    starttls = _flag(options, "starttls")
    if scheme == "smtps" and starttls:
        raise ValueError("smtps:// is TLS from the start; use smtp://…?starttls=1 for STARTTLS instead")
    if port is None:
        port = 465 if scheme == "smtps" else 587 if starttls else 25
    if port == 0:
        raise ValueError("mail URL has an invalid port (1-65535)")
    if (parts.username is None) != (parts.password is None):
        raise ValueError("mail URL needs both a user and a password, or neither: smtp://user:password@host")
    return SmtpTransport(
        host=parts.hostname, port=port,
        security="tls" if scheme == "smtps" else "starttls" if starttls else "none",
        username=None if parts.username is None else unquote(parts.username),
        password=None if parts.password is None else unquote(parts.password),
        timeout=_timeout(options), ssl_context=ssl_context,
    )


def backoff_seconds(attempt, *, base=30.0, cap=3600.0, rand=random.random):
    """Seconds to wait before retry number `attempt` (0, 1, 2…): base × 2^attempt, at most `cap`, jittered.

    "Equal jitter": a random point in the upper half of the window, so retries from many workers spread
    out yet never come back sooner than half the nominal delay.
    """
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    window = min(cap, base * 2 ** min(attempt, 32))
    return window / 2 + window / 2 * rand()


@dataclass(frozen=True)
class SmtpTransport:
    """An SMTP relay: host, port, security ("none", "starttls" or "tls"), optional login, socket timeout."""

    host: str
    port: int = 25
    security: str = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    def connect(self):
        """An open SMTP session for a batch; raises ServerUnreachable (a TemporaryFailure) when it cannot be reached."""
        connection = SmtpConnection(self)
        connection.open()
        return connection

    def describe(self):
        """Where mail goes, without the password: for logs."""
        login = f"{self.username}@" if self.username else ""
        return f"{'smtps' if self.security == 'tls' else 'smtp'}://{login}{self.host}:{self.port}" + (
            "?starttls=1" if self.security == "starttls" else "")


class SmtpConnection:
    """One SMTP session, re-opened on the next send after the server dropped it."""

    def __init__(self, transport):
        self.transport = transport
        self._smtp = None

    def open(self):
        """Connect, say EHLO, start TLS and log in as the transport says; TemporaryFailure if that fails."""
        settings = self.transport
        where = f"{settings.host}:{settings.port}"
        context = settings.ssl_context or ssl.create_default_context()
        smtp = None
        try:
            if settings.security == "tls":
                smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username is not None:
                smtp.login(settings.username, settings.password)
        except smtplib.SMTPResponseException as error:
            _close_quietly(smtp)
            raise TemporaryFailure(f"SMTP server {where} refused the session: {_reply(error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            _close_quietly(smtp)
            raise ServerUnreachable(f"cannot connect to SMTP server {where}: {_describe(error)}") from error
        self._smtp = smtp

    def send(self, message):
        """Deliver one message (one recipient); None when the server accepted it.

        Raises TemporaryFailure (4xx reply, connection lost or refused) or PermanentFailure (5xx reply,
        or a message this server can never take).
        """
        if self._smtp is None:
            self.open()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _failure(code, text) from error
        except smtplib.SMTPResponseException as error:
            raise _failure(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPNotSupportedError as error:  # e.g. an SMTPUTF8 address on a server without it
            raise PermanentFailure(f"the SMTP server cannot take this message: {error}") from error
        except (smtplib.SMTPException, OSError) as error:  # disconnected, reset, timed out
            self.close()
            raise TemporaryFailure(f"connection to the SMTP server lost: {_describe(error)}") from error
        except (ValueError, UnicodeError) as error:  # no recipient, or headers that cannot be written
            raise PermanentFailure(f"the message cannot be sent: {error}") from error
        finally:
            self._forget_if_closed()

    def close(self):
        """End the session politely (QUIT), or just drop the socket when the server is gone."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            _close_quietly(smtp)

    def _forget_if_closed(self):
        # smtplib closes the socket itself after a 421 reply.
        if self._smtp is not None and self._smtp.sock is None:
            self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class ConsoleTransport:
    """Prints each message (headers and text part) to a stream, sys.stdout by default: for `make run`."""

    def __init__(self, stream=None):
        self.stream = stream
        self._lock = threading.Lock()

    def connect(self):
        return ConsoleConnection(self)

    def describe(self):
        return "console://"


class ConsoleConnection:
    """The console's side of the batch API: `send` prints, `close` does nothing."""

    def __init__(self, transport):
        self.transport = transport

    def send(self, message):
        """Print `message` as its recipient would read it: decoded headers, then the text part."""
        readable = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        lines = ["=" * 30 + " email " + "=" * 30]
        lines += [f"{name}: {value}" for name, value in readable.items()
                  if not name.lower().startswith(("content-", "mime-"))]
        text = readable.get_body(("plain",))
        lines += ["", text.get_content().rstrip("\n") if text is not None else "(no text part)", "=" * 67, ""]
        with self.transport._lock:
            stream = self.transport.stream or sys.stdout
            stream.write("\n".join(lines))
            stream.flush()

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass


def _failure(code, text):
    reason = _reply_text(code, text)
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


def _reply(error):
    return _reply_text(error.smtp_code, error.smtp_error)


def _reply_text(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def _describe(error):
    return str(error) or type(error).__name__


def _close_quietly(smtp):
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass


def _options(query):
    try:
        options = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(f"mail URL has a malformed query {query!r}") from None
    unknown = sorted(set(options) - {"starttls", "timeout"})
    if unknown:
        raise ValueError(f"mail URL has unknown options {', '.join(unknown)}; known: starttls, timeout")
    return {name: values[-1] for name, values in options.items()}


def _flag(options, name):
    value = options.get(name, "0").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"mail URL option {name} must be 1 or 0, got {value!r}")


def _timeout(options):
    if "timeout" not in options:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(options["timeout"])
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"mail URL option timeout must be a positive number of seconds, got {options['timeout']!r}")
    return seconds
