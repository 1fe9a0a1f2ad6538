"""Restock and confirmation emails: composing them (compose, i18n) and sending them (transports)."""
