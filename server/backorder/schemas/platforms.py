"""Platform connections in the admin API: credentials in (never out), what is set, secrets shown once."""

from marshmallow import Schema, fields

from marshmallow import validate

from .base import Text

__all__ = ["PlatformCredentialsIn", "PlatformOut", "PlatformList", "WebhookSecretIn", "WebhookSecretOut",
           "PlatformTaskOut", "SyncScheduleIn", "WebhooksOut", "WidgetOut"]


class PlatformCredentialsIn(Schema):
    shop = Text(300, min_length=1, required=True, metadata={
        "description": "BigCommerce store hash, Shopify example.myshopify.com, or the WooCommerce site's https URL"})
    access_token = Text(500, min_length=1, metadata={"description": "BigCommerce or Shopify access token"})
    client_secret = Text(500, min_length=1, metadata={
        "description": "BigCommerce app client secret: Standard Webhooks signatures are then checked"})
    consumer_key = Text(200, min_length=1, metadata={"description": "WooCommerce REST consumer key"})
    consumer_secret = Text(500, min_length=1, metadata={"description": "WooCommerce REST consumer secret"})


class WebhookSecretIn(Schema):
    secret = Text(500, min_length=8, metadata={
        "description": "Shopify: its signing key. Leave out (BigCommerce, WooCommerce) to have one made"})


class PlatformOut(Schema):
    platform = fields.String()
    webhook_url = fields.String(metadata={"description": "Give this exact URL to the platform"})
    shop = fields.String(allow_none=True)
    api_url = fields.String(allow_none=True)
    credentials_set = fields.Boolean()
    credentials_hint = fields.String(allow_none=True, metadata={"description": "The token's last four characters"})
    webhook_secret_set = fields.Boolean()
    webhook_secret_set_at = fields.DateTime(allow_none=True)
    widget_installed = fields.Boolean()
    sync_every_minutes = fields.Integer(allow_none=True)
    last_sync_at = fields.DateTime(allow_none=True)
    last_sync_result = fields.String(allow_none=True)
    last_webhook_at = fields.DateTime(allow_none=True)


class PlatformList(Schema):
    items = fields.List(fields.Nested(PlatformOut))


class WebhookSecretOut(Schema):
    platform = fields.String()
    webhook_url = fields.String()
    webhook_secret = fields.String(metadata={"description": "Shown this once: paste it into the platform now"})


class PlatformTaskOut(Schema):
    id = fields.Integer()
    status = fields.String()
    created_at = fields.DateTime()


class WidgetOut(Schema):
    installed = fields.Boolean()
    script_id = fields.String(allow_none=True)


class WebhooksOut(Schema):
    webhooks = fields.Integer(metadata={"description": "How many webhooks are registered"})


class SyncScheduleIn(Schema):
    sync_every_minutes = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=5, max=7 * 24 * 60),
                                        metadata={"description": "Minutes between syncs by the worker; null: never"})
