"""Sign-ups, campaigns, the outbox and store settings."""

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from ..models import CAMPAIGN_STATUSES, MESSAGE_KINDS, MESSAGE_STATUSES, SUBSCRIPTION_STATUSES
from ..services.stores import valid_timezone
from .base import Count, Lines, ShopperEmail, Sku, Text, Url, no_control_chars

# "(?![\s\S])" is the end of the text in Python and in the ECMA 262 regexes OpenAPI readers use (\Z is Python's
# alone; "$" also matches before a final newline in Python).
LOCALE = validate.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}(?![\s\S])",
                         error="Must be a language tag like en or de-AT.")


def known_timezone(name):
    if not valid_timezone(name):
        raise ValidationError("Not a known IANA time zone.")


class SubscriptionIn(Schema):
    sku = Sku(required=True)
    email = ShopperEmail(required=True)
    locale = fields.String(validate=LOCALE, metadata={"description": "The shopper's language; the store's by default"})
    quantity = Count(minimum=1, maximum=10_000, load_default=1, metadata={"description": "Units the shopper wants"})
    page_url = Url(allow_none=True, metadata={"description": "The page the form was on (consent record)"})
    company_url = fields.Raw(metadata={"description": "Leave empty: a field people never see (honeypot)"})


class SubscriptionAccepted(Schema):
    status = fields.String(metadata={"enum": ["pending", "active"],
                                     "description": "pending: a confirmation email is on its way"})
    message = fields.String(metadata={"description": "What to tell the shopper, in their language"})


class SubscriptionOut(Schema):
    id = fields.Integer()
    sku = fields.Function(lambda subscription: subscription.product.sku)
    email = fields.String()
    locale = fields.String()
    quantity = fields.Integer()
    status = fields.String(metadata={"enum": list(SUBSCRIPTION_STATUSES)})
    consent_version = fields.Integer()
    consent_text = fields.String(allow_none=True)
    page_url = fields.String(allow_none=True)
    created_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    notified_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    end_channel = fields.String(allow_none=True)


class SubscriptionList(Schema):
    items = fields.List(fields.Nested(SubscriptionOut))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as ?after= for the next page"})


class SubscriptionQuery(Schema):
    sku = Sku()
    email = Text(320, min_length=1)
    status = fields.String(validate=validate.OneOf(SUBSCRIPTION_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class SkuQuery(Schema):
    sku = Sku()


class ErasureIn(Schema):
    email = Text(320, min_length=3, required=True)


class ErasureOut(Schema):
    subscriptions = fields.Integer()
    messages = fields.Integer()


class CampaignOut(Schema):
    id = fields.Integer()
    sku = fields.String()
    kind = fields.String(metadata={"enum": ["restock", "room"]})
    trigger = fields.String()
    status = fields.String(metadata={"enum": list(CAMPAIGN_STATUSES)})
    reason = fields.String(allow_none=True, metadata={
        "description": "Why it stopped or waits: sold_out_again, below_minimum, quiet_hours, nobody_waiting"})
    waves = fields.Integer()
    queued = fields.Integer()
    next_wave_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    messages = fields.Dict(metadata={"description": "Its messages by status: queued, sent, failed, skipped"})
    log = fields.List(fields.Dict(), metadata={"description": "Every decision, with its reason and count"})

    @pre_dump
    def _flatten(self, view, **kwargs):
        """Dump a CampaignView: the campaign's columns beside its messages' progress."""
        out = {name: getattr(view.campaign, name) for name in self.fields if hasattr(view.campaign, name)}
        out["sku"], out["messages"] = view.campaign.product.sku, view.progress
        return out


class CampaignList(Schema):
    items = fields.List(fields.Nested(CampaignOut))


class MessageOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(MESSAGE_KINDS)})
    recipient = fields.String()
    status = fields.String(metadata={"enum": list(MESSAGE_STATUSES)})
    reason = fields.String(allow_none=True, metadata={"description": "Why it was not sent (yet)"})
    attempts = fields.Integer()
    campaign_id = fields.Integer(allow_none=True)
    due_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    clicked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class MessageList(Schema):
    items = fields.List(fields.Nested(MessageOut))
    next_after = fields.Integer(allow_none=True)


class MessageQuery(Schema):
    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))
    kind = fields.String(validate=validate.OneOf(MESSAGE_KINDS))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class StoreSettings(Schema):
    """The store's settings; every field optional on PATCH."""

    name = Text(200, min_length=1)
    allowed_origins = fields.List(Url(), validate=validate.Length(max=50))
    locale = fields.String(validate=LOCALE)
    timezone = fields.String(validate=[validate.Length(min=1, max=64), no_control_chars,
                                       known_timezone])
    handling_days = Count(maximum=365)
    cache_max_age = Count(maximum=86400)
    show_backorder_remaining = fields.Boolean()
    widget_labels = fields.Dict(keys=Text(40, min_length=1), values=Text(200), validate=validate.Length(max=50))
    consent_text = Text(500, allow_none=True)
    sender_name = Text(200, allow_none=True)
    sender_email = ShopperEmail(allow_none=True)
    postal_address = Lines(500, allow_none=True)
    double_opt_in = fields.Boolean()
    wave_factor = Count(minimum=1, maximum=1000, allow_none=True, metadata={"description": "null: all at once"})
    wave_interval_minutes = Count(minimum=1, maximum=10080)
    min_restock_quantity = Count(minimum=1)
    quiet_hours_start = fields.Time(allow_none=True, format="%H:%M")
    quiet_hours_end = fields.Time(allow_none=True, format="%H:%M")
    notify_on_room = fields.Boolean()
    eta_tolerance_days = Count(maximum=365)
    attribution_days = Count(minimum=1, maximum=90, metadata={
        "description": "An order within this many days of a restock email counts as its conversion (reports)"})

    @validates_schema
    def _quiet_hours_both_or_neither(self, data, **kwargs):
        if ("quiet_hours_start" in data) != ("quiet_hours_end" in data):
            raise ValidationError("Set quiet_hours_start and quiet_hours_end together.", "quiet_hours_end")
        if "quiet_hours_start" in data and (data["quiet_hours_start"] is None) != (data["quiet_hours_end"] is None):
            raise ValidationError("Give both ends of the quiet hours, or neither.", "quiet_hours_end")


class StoreOut(StoreSettings):
    public_key = fields.String()
    consent_version = fields.Integer()
