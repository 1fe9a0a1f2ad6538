"""Admin users: creating them, checking passwords, and which stores each may manage."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..db import db
from ..models import Membership, Store, User, utcnow
from .errors import UnknownStore

MIN_PASSWORD_LENGTH = 10

STRONG = PasswordHasher()  # Argon2id with the library's current parameters (RFC 9106 "low memory" profile)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: BACKORDER_PASSWORD_HASH_FAST


def _hasher():
    return FAST if current_app.config["PASSWORD_HASH_FAST"] else STRONG


def normalize_email(email):
    return email.strip().lower()


def weak_password_reason(password):
    """Why a password may not be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 1000:
        return "use at most 1,000 characters"
    if password.strip() != password or not password.isprintable():
        return "no leading or trailing spaces, no control characters"
    return None


def create_user(store, email, password=None):
    """Let `email` manage `store`: a new user needs `password`; an existing one just gains the store.

    Returns (user, created). Raises ValueError for a new user without a usable password.
    """
    user = user_by_email(email)
    created = user is None
    if created:
        reason = weak_password_reason(password or "")
        if reason:
            raise ValueError(f"password refused: {reason}")
        user = User(email=normalize_email(email), password_hash=_hasher().hash(password))
        db.session.add(user)
        db.session.flush()
    if db.session.get(Membership, (user.id, store.id)) is None:
        db.session.add(Membership(user_id=user.id, store_id=store.id))
    db.session.commit()
    return user, created


def set_password(user, password):
    reason = weak_password_reason(password)
    if reason:
        raise ValueError(f"password refused: {reason}")
    user.password_hash = _hasher().hash(password)
    db.session.commit()


def user_by_email(email):
    return db.session.execute(db.select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()


def authenticate(email, password, now=None):
    """The user with this email and password, or None; takes as long for an unknown email as for a known one."""
    user = user_by_email(email)
    if user is None:
        _verify(_unknown_user_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher().check_needs_rehash(user.password_hash):  # parameters raised since it was stored
        user.password_hash = _hasher().hash(password)
    user.last_login_at = now or utcnow()
    db.session.commit()
    return user


_unknown_user_hashes = {}  # hasher -> a hash made on first use


def _unknown_user_hash():
    """A hash to verify against when the email is unknown: the same work as a wrong password."""
    hasher = _hasher()
    if hasher not in _unknown_user_hashes:
        _unknown_user_hashes[hasher] = hasher.hash("no such user, same work")
    return _unknown_user_hashes[hasher]


def _verify(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_stamp(user):
    """A value that changes when the password does: sessions made before a password change end."""
    return user.password_hash[-16:]


def stores_of(user_id):
    """The stores this user may manage, by name."""
    return db.session.execute(
        db.select(Store).join(Membership, Membership.store_id == Store.id)
        .where(Membership.user_id == user_id).order_by(Store.name, Store.id)
    ).scalars().all()


def store_of_user(user_id, store_id):
    """The store, when this user may manage it; UnknownStore otherwise (another tenant's store does not exist)."""
    if db.session.get(Membership, (user_id, store_id)) is None:
        raise UnknownStore("You have no store with this id")
    return db.session.get(Store, store_id)
