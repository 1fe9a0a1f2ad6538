"""Webhook signatures: an HMAC over the raw body (Shopify, WooCommerce), a shared header secret and
Standard Webhooks (BigCommerce). Every comparison is constant-time; nothing here parses JSON."""

import base64
import hashlib
import hmac
import time


def hmac_base64(secret, body):
    """base64(HMAC-SHA256(secret, raw body)), as Shopify and WooCommerce send it."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def body_signature_valid(secret, body, header):
    """True when `header` is the base64 HMAC-SHA256 of the raw body under `secret`."""
    return bool(header) and hmac.compare_digest(hmac_base64(secret, body).encode(), header.strip().encode())


def secret_header_valid(secret, header):
    """True when a shared secret sent back in a header is ours."""
    return bool(header) and hmac.compare_digest(secret.encode(), header.encode())


def standard_webhook_signature(key, message_id, timestamp, body):
    """The Standard Webhooks `v1` signature: base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def standard_webhook_problem(key, headers, body, tolerance, now=None):
    """Why a Standard Webhooks delivery is not authentic, or None when it is.

    Checks the `webhook-timestamp` is within `tolerance` seconds of now (a replay of an old
    capture fails) and that one of the space-separated `v1,<signature>` entries matches.
    """
    message_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (message_id and timestamp and signatures):
        return "webhook-id, webhook-timestamp and webhook-signature are all required"
    try:
        sent = int(timestamp)
    except ValueError:
        return "webhook-timestamp is not a number of seconds"
    if abs((now or time.time()) - sent) > tolerance:
        return "webhook-timestamp is too far from now"
    expected = standard_webhook_signature(key, message_id, timestamp, body).encode()
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(expected, signature.encode()):
            return None
    return "no webhook-signature entry matches"
