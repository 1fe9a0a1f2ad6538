"""What every schema shares: field types (counts, money, days, skus, emails, urls, text) and the error shape."""

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from marshmallow import Schema, ValidationError, fields, validate

MAX_COUNT = 1_000_000_000  # stock and quantities: far above any store, safely inside a 32-bit column
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # also lone surrogates: UTF-8 cannot encode them
DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
LAST_DAY = date(9000, 12, 31)  # ETAs add handling days to dates: stay well below date.max (9999-12-31)


def no_control_chars(value):
    if CONTROL_CHARS.search(value):
        raise ValidationError("Must not contain control characters (newlines, tabs, NUL) or lone surrogates.")


def no_control_chars_but_newlines(value):
    if CONTROL_CHARS.search(value.replace("\r\n", "").replace("\n", "")):
        raise ValidationError("Must not contain control characters (tabs, NUL) or lone surrogates.")


class Text(fields.String):
    """A string with a length limit and no control characters (PostgreSQL rejects NUL)."""

    def __init__(self, max_length, min_length=0, **kwargs):
        super().__init__(validate=[validate.Length(min=min_length, max=max_length), no_control_chars], **kwargs)


class Lines(fields.String):
    """Text of several lines (a postal address): newlines allowed, other control characters never."""

    def __init__(self, max_length, **kwargs):
        super().__init__(validate=[validate.Length(max=max_length), no_control_chars_but_newlines], **kwargs)


class Day(fields.Date):
    """A calendar day written YYYY-MM-DD (not 20261201 nor 2026-W49-2), no later than LAST_DAY."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(max=LAST_DAY, error="Must be no later than {max}."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and DAY.match(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Sku(Text):
    def __init__(self, **kwargs):
        super().__init__(max_length=100, min_length=1, **kwargs)


class PlatformId(Text):
    def __init__(self, **kwargs):
        super().__init__(max_length=64, min_length=1, **kwargs)


class SkuPath(Schema):
    sku = Sku(required=True)


class Count(fields.Integer):
    """A whole number of units: JSON integers only (not "3", 3.5 or true), 0 to a billion."""

    def __init__(self, minimum=0, maximum=MAX_COUNT, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def money_range(value):
    if not 0 <= value < 10**10:
        raise ValidationError("Must be between 0 and 9999999999.99.")


class Money(fields.Decimal):
    """A non-negative amount with two decimals, sent as "24.50" or 24.5; dumped as a string so no precision is lost."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, validate=money_range, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class ShopperEmail(fields.String):
    """An email address, checked for syntax only (no DNS at request time) and normalised."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if len(value) > 320:
            raise ValidationError("Not a valid email address.")
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationError(f"Not a valid email address: {error}") from None


class BackorderLimit(fields.Field):
    """A product's backorder limit: a number of units, null for no limit, or "incoming"."""

    default_error_messages = {"invalid": 'Must be a whole number of units, null or "incoming".'}

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "incoming":
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise self.make_error("invalid")
        return value


class Url(fields.Url):
    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, validate=[validate.Length(max=2000), no_control_chars], **kwargs)


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "backorder_limit_reached"})
    message = fields.String(required=True)
    field_errors = fields.Dict(data_key="fields", metadata={"description": "Field errors, keyed like the request body"})
    details = fields.Dict(metadata={"description": "Facts about the refusal, e.g. the sku and what remains"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Health(Schema):
    status = fields.String(metadata={"description": "Always ok in a 200"})
    database = fields.String(metadata={"description": "ok: the database answered"})
    schema = fields.String(metadata={"description": "The migration the database is at (the newest one)"})
