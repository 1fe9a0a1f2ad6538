"""Platform connections: where a store's platform API is, its credentials and webhook secret.

Credentials and webhook secrets are stored encrypted (Fernet, with a key derived from SECRET_KEY
by HKDF) and never shown again: the admin sees only whether they are set and a short hint. A new
SECRET_KEY makes them unreadable; they must then be entered again (PlatformNotConfigured says so).
"""

import base64
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from ..db import db
from ..models import PLATFORMS, PlatformConnection, utcnow
from .errors import PlatformNotConfigured, UnknownPlatform

# What each platform's credentials hold; the first is the token whose last characters are the hint.
CREDENTIAL_FIELDS = {
    "bigcommerce": ("access_token", "client_secret"),
    "shopify": ("access_token",),
    "woocommerce": ("consumer_secret", "consumer_key"),
}
REQUIRED_CREDENTIALS = {
    "bigcommerce": ("access_token",),
    "shopify": ("access_token",),
    "woocommerce": ("consumer_key", "consumer_secret"),
}
# Secrets we generate (the merchant pastes them into the platform); Shopify signs with its own key.
GENERATED_SECRET = {"bigcommerce": True, "shopify": False, "woocommerce": True}
BIGCOMMERCE_SECRET_HEADER = "X-Backorder-Secret"


def _fernet():
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"backorder platform credentials",
               info=b"fernet").derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text):
    """A Fernet token of `text`, under the key derived from SECRET_KEY."""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token, what):
    """The text of a Fernet token; PlatformNotConfigured if SECRET_KEY changed since it was stored."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise PlatformNotConfigured(f"The stored {what} cannot be read (SECRET_KEY changed?): set it again") from None


def check_platform(platform):
    if platform not in PLATFORMS:
        raise UnknownPlatform(f"Unknown platform {platform!r}: one of {', '.join(PLATFORMS)}", platform=platform)


def connection_of(store, platform, create=False):
    """The store's connection to `platform`; None (or a new unsaved one with create=True)."""
    check_platform(platform)
    connection = db.session.get(PlatformConnection, (store.id, platform))
    if connection is None and create:
        connection = PlatformConnection(store_id=store.id, platform=platform)
        db.session.add(connection)
    return connection


def connections_of(store):
    """{platform: connection or None} for every platform, in a fixed order."""
    found = {connection.platform: connection for connection in db.session.execute(
        db.select(PlatformConnection).where(PlatformConnection.store_id == store.id)).scalars()}
    return {platform: found.get(platform) for platform in PLATFORMS}


def default_api_url(platform, shop, config):
    """The REST base for a shop: BigCommerce store hash, Shopify *.myshopify.com domain, WooCommerce site URL."""
    if platform == "bigcommerce":
        return f"{config['BIGCOMMERCE_API_URL'].rstrip('/')}/stores/{shop}"
    if platform == "shopify":
        return f"https://{shop}/admin/api/{config['SHOPIFY_API_VERSION']}"
    return f"{shop.rstrip('/')}/wp-json/wc/v3"


def normalize_shop(platform, shop):
    """The shop identifier as stored, or ValueError: a store hash, a myshopify domain, an http(s) site URL."""
    shop = shop.strip()
    if platform == "bigcommerce":
        if not shop.isalnum() or len(shop) > 64:
            raise ValueError("a BigCommerce store hash is letters and digits (the part after /stores/ in the API path)")
        return shop.lower()
    if platform == "shopify":
        host = (urlsplit(shop).hostname if "//" in shop else shop.split("/")[0]).lower()
        if not host.endswith(".myshopify.com") or len(host) > 255:
            raise ValueError("give the shop's own domain, such as example.myshopify.com")
        return host
    parts = urlsplit(shop)
    if parts.scheme != "https" or not parts.hostname or len(shop) > 300:  # its keys travel as HTTP Basic auth
        raise ValueError("give the WordPress site's https URL, such as https://shop.example.com")
    return shop.rstrip("/")


def set_credentials(store, platform, credentials, shop=None, api_url=None):
    """Store a platform's API credentials (encrypted) and where its API is; returns the connection.

    `credentials` holds the platform's fields (CREDENTIAL_FIELDS); missing required ones raise
    ValueError. They are never returned: only a hint of the token's last four characters.
    """
    check_platform(platform)
    missing = [name for name in REQUIRED_CREDENTIALS[platform] if not credentials.get(name)]
    if missing:
        raise ValueError(f"{platform} needs {', '.join(missing)}")
    connection = connection_of(store, platform, create=True)
    if shop:
        connection.shop = normalize_shop(platform, shop)
    if api_url:
        connection.api_url = api_url.rstrip("/")
    elif connection.shop:
        connection.api_url = default_api_url(platform, connection.shop, current_app.config)
    if not connection.api_url:
        raise ValueError(f"{platform} needs the shop ({'store hash' if platform == 'bigcommerce' else 'shop'})")
    kept = {name: credentials[name] for name in CREDENTIAL_FIELDS[platform] if credentials.get(name)}
    connection.credentials = encrypt(json.dumps(kept))
    token = kept.get(CREDENTIAL_FIELDS[platform][0])
    connection.credentials_hint = "…" + token[-4:] if token else None
    db.session.commit()
    return connection


def credentials_of(connection):
    """The decrypted credentials, or PlatformNotConfigured."""
    if connection is None or not connection.credentials or not connection.api_url:
        raise PlatformNotConfigured("No API credentials are set for this platform")
    return json.loads(decrypt(connection.credentials, "API credentials"))


def clear_credentials(store, platform):
    """Forget a platform's API credentials (webhooks keep working with their secret)."""
    connection = connection_of(store, platform)
    if connection is not None:
        connection.credentials = connection.credentials_hint = None
        db.session.commit()


def set_webhook_secret(store, platform, secret=None):
    """Set the secret webhooks are checked with: the given one, or a new random one. Returns it (shown once).

    BigCommerce and WooCommerce take a secret we make up; Shopify signs with its app's client
    secret (or the key on its Notifications page), which the merchant gives us.
    """
    check_platform(platform)
    if secret is None:
        if not GENERATED_SECRET[platform]:
            raise ValueError("Shopify signs webhooks with its own key: paste it from Shopify")
        secret = "whsec_" + secrets.token_urlsafe(32)
    secret = secret.strip()
    if not 8 <= len(secret) <= 500:
        raise ValueError("a webhook secret has 8 to 500 characters")
    connection = connection_of(store, platform, create=True)
    connection.webhook_secret = encrypt(secret)
    connection.webhook_secret_set_at = utcnow()
    db.session.commit()
    return secret


def webhook_secret_of(connection):
    """The decrypted webhook secret, or None when none is set."""
    if connection is None or not connection.webhook_secret:
        return None
    return decrypt(connection.webhook_secret, "webhook secret")


def webhook_url(store, platform):
    """The exact URL to give the platform for this store's webhooks."""
    check_platform(platform)
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/hooks/{store.public_key}/{platform}"


def set_sync_schedule(store, platform, every_minutes):
    """Pull the catalogue every so many minutes from the worker (None: never)."""
    if every_minutes is not None and not 5 <= every_minutes <= 7 * 24 * 60:
        raise ValueError("sync every 5 minutes to 7 days, or never")
    connection = connection_of(store, platform, create=True)
    connection.sync_every_minutes = every_minutes
    connection.next_sync_at = utcnow() + timedelta(minutes=every_minutes) if every_minutes else None
    db.session.commit()
    return connection


def describe_connection(store, platform, connection):
    """What the admin may see of a connection: never a secret, only whether it is set."""
    return {
        "platform": platform,
        "webhook_url": webhook_url(store, platform),
        "shop": connection.shop if connection else None,
        "api_url": connection.api_url if connection else None,
        "credentials_set": bool(connection and connection.credentials),
        "credentials_hint": connection.credentials_hint if connection else None,
        "webhook_secret_set": bool(connection and connection.webhook_secret),
        "webhook_secret_set_at": connection.webhook_secret_set_at if connection else None,
        "widget_installed": bool(connection and connection.widget_script_id),
        "sync_every_minutes": connection.sync_every_minutes if connection else None,
        "last_sync_at": connection.last_sync_at if connection else None,
        "last_sync_result": connection.last_sync_result if connection else None,
        "last_webhook_at": connection.last_webhook_at if connection else None,
    }
