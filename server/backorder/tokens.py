"""Signed links in emails: one itsdangerous salt and one lifetime per purpose.

A token names rows by id only, so deleting the rows (unsubscribe, GDPR erase) is what revokes it;
the confirmation link also carries a random nonce that is cleared when used, so it works once.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

DAY = 24 * 3600

# purpose: seconds a link stays valid (CAN-SPAM wants opt-out links to work 30 days at least)
LIFETIMES = {
    "confirm": 7 * DAY,
    "unsubscribe": 400 * DAY,
    "manage": 400 * DAY,
    "click": 90 * DAY,
}


class BadToken(Exception):
    """The link is forged, mangled or for another purpose."""


class ExpiredToken(BadToken):
    """The link was genuine but is too old."""


def _serializer(purpose):
    if purpose not in LIFETIMES:
        raise ValueError(f"Unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"backorder.{purpose}")


def make_token(purpose, payload):
    """A URL-safe signed token carrying `payload` (JSON-able) for one purpose."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose, token):
    """The payload of a token made for `purpose`, or BadToken / ExpiredToken."""
    try:
        return _serializer(purpose).loads(token, max_age=LIFETIMES[purpose])
    except SignatureExpired as error:
        raise ExpiredToken(str(error)) from None
    except BadSignature as error:
        raise BadToken(str(error)) from None
