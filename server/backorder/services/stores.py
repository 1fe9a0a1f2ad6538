"""Stores (tenants): creating them, finding them by key or token, their local date."""

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..db import db
from ..models import Store
from .errors import UnknownStore


def hash_token(token):
    """The stored form of an API token: tokens are long and random, so SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_origin(url):
    """'https://Shop.example.com/any/path' -> 'https://shop.example.com' (what browsers send as Origin)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {url!r}")
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def valid_timezone(name):
    """True when `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        return False
    return True


def create_store(name, origins=(), locale="en", timezone="UTC", handling_days=0):
    """Create a store; returns it with its API token, which is shown this once and stored hashed."""
    if not valid_timezone(timezone):
        raise ValueError(f"unknown time zone: {timezone!r}")
    api_token = "sk_" + secrets.token_urlsafe(32)
    store = Store(
        name=name,
        public_key="pk_" + secrets.token_urlsafe(18),
        api_token_hash=hash_token(api_token),
        allowed_origins=sorted({normalize_origin(origin) for origin in origins}),
        locale=locale,
        timezone=timezone,
        handling_days=handling_days,
    )
    db.session.add(store)
    db.session.commit()
    return store, api_token


def update_store(store, fields):
    """Change a store's settings. A new consent sentence gets a new version number (GDPR Art. 7(1)):
    each sign-up records the version its shopper saw. This process sees the change at once, every
    other within STORE_CACHE_SECONDS."""
    if "allowed_origins" in fields:
        fields = {**fields, "allowed_origins": sorted({normalize_origin(url) for url in fields["allowed_origins"]})}
    if "consent_text" in fields and fields["consent_text"] != store.consent_text:
        store.consent_version += 1
    for name, value in fields.items():
        setattr(store, name, value)
    db.session.commit()
    return store


def rotate_api_token(store):
    """Give the store a new admin API token (shown this once); the old one stops working at once."""
    api_token = "sk_" + secrets.token_urlsafe(32)
    store.api_token_hash = hash_token(api_token)
    db.session.commit()
    return api_token


def store_by_public_key(public_key):
    """The store whose snippet carries this public key, or UnknownStore."""
    store = db.session.execute(db.select(Store).filter_by(public_key=public_key)).scalar_one_or_none()
    if store is None:
        raise UnknownStore("No store has this public key")
    return store


@dataclass(frozen=True)
class StoreSnapshot:
    """The store settings the public read path needs, detached from any session."""

    id: int
    public_key: str
    allowed_origins: frozenset
    locale: str
    timezone: str
    handling_days: int
    cache_max_age: int
    widget: dict  # the store block of every public answer: see widget_settings


def widget_settings(store):
    """What the widget reads of the store with every answer: locale, wording, consent, what to show."""
    return {
        "locale": store.locale,
        "show_backorder_remaining": store.show_backorder_remaining,
        "signup": True,
        "consent": store.consent_text,
        "labels": dict(store.widget_labels or {}),
    }


_generations = {}  # store id -> commits of this process that changed the store's public answers
_generations_lock = threading.Lock()


def store_generation(store_id):
    """How many commits of this process changed the store's public answers (services/changes.py counts
    them): per-process caches compare it to know at once that this process changed what they keep."""
    return _generations.get(store_id, 0)


def still_fresh(expires, store_id, generation):
    """Whether a per-process cache entry may still be used: its time (time.monotonic()) has not run out and
    no commit of this process has changed its store since it was made."""
    return expires > time.monotonic() and generation == store_generation(store_id)


def count_changes(store_ids):
    """A commit of this process changed these stores' public answers (settings, products, shipments)."""
    with _generations_lock:
        for store_id in store_ids:
            _generations[store_id] = _generations.get(store_id, 0) + 1


class SnapshotCache:
    """Public key -> StoreSnapshot, kept `seconds` per process so product-page reads skip a query.

    A settings change reaches every process within `seconds`, and the process that made it at once
    (store_generation); unknown keys are never cached.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self._entries = {}

    def get(self, public_key):
        entry = self._entries.get(public_key)
        if entry is not None and still_fresh(entry[0], entry[1].id, entry[2]):
            return entry[1]
        store = store_by_public_key(public_key)
        generation = store_generation(store.id)
        snapshot = StoreSnapshot(
            store.id, store.public_key, frozenset(store.allowed_origins), store.locale, store.timezone,
            store.handling_days, store.cache_max_age, widget_settings(store),
        )
        if self.seconds > 0:
            self._entries[public_key] = (time.monotonic() + self.seconds, snapshot, generation)
        return snapshot


def store_by_token(api_token):
    """The store an API token belongs to, or None."""
    return db.session.execute(
        db.select(Store).filter_by(api_token_hash=hash_token(api_token))
    ).scalar_one_or_none()


def today_in(store, now=None) -> date:
    """Today's date where the store is: ETAs and release dates are the store's calendar days."""
    return (now or datetime.now(ZoneInfo(store.timezone))).astimezone(ZoneInfo(store.timezone)).date()
