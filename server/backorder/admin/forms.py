"""HTML forms over the same marshmallow schemas as the API: validation happens once, in the schema.

A form posts strings; Form turns them into the JSON types the schema expects (a number box into an
int, an unticked checkbox into false, an empty optional box into null), loads the schema, and keeps
what the user typed and the errors by field, so a page can show both next to each field.
"""

from datetime import date, time
from decimal import Decimal

from flask import request
from marshmallow import Schema, ValidationError, fields

from ..schemas.base import BackorderLimit, Text

INTEGER_TEXT = set("0123456789")


class LoginForm(Schema):
    email = Text(320, min_length=3)
    password = fields.String(required=True)


def _text(value):
    """How a stored value shows in a form field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (date, Decimal, int)):
        return str(value)
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {text}" for key, text in value.items())
    return value


def _typed(field, raw):
    """The JSON value a form string stands for, given the schema field that will load it."""
    if isinstance(field, BackorderLimit):
        raw = raw.strip()
        if raw == "":
            return None
        return int(raw) if set(raw) <= INTEGER_TEXT and len(raw) < 12 else raw
    if isinstance(field, fields.Integer):
        raw = raw.strip()
        return int(raw) if raw and set(raw) <= INTEGER_TEXT and len(raw) < 12 else raw
    if isinstance(field, fields.List):
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if isinstance(field, fields.Dict):
        pairs = {}
        for line in raw.splitlines():
            if line.strip():
                key, colon, value = line.partition(":")
                if not colon:
                    raise ValidationError(f"Write each line as name: text (not {line.strip()!r}).")
                pairs[key.strip()] = value.strip()
        return pairs
    if isinstance(field, fields.String) and field.name == "password":
        return raw
    return raw.strip()


class Form:
    """One HTML form: its fields' current text, and its errors by field name ("_form" for the whole)."""

    def __init__(self, schema, names, initial=None):
        self.schema = schema
        self.names = list(names)
        self.values = {name: _text((initial or {}).get(name)) for name in self.names}
        self.errors = {}

    @staticmethod
    def submitted():
        return request.method == "POST"

    def load(self, partial=False):
        """The posted form through the schema: the loaded data, or None with self.errors filled."""
        data = {}
        self.values = {}
        for name in self.names:
            field = self.schema.fields[name]
            if isinstance(field, fields.Boolean):
                self.values[name] = data[name] = name in request.form
                continue
            raw = request.form.get(name, "")
            self.values[name] = raw
            if raw.strip() == "" and not isinstance(field, (fields.List, fields.Dict)):
                if field.allow_none:
                    data[name] = None
                elif field.required or not partial:
                    data[name] = raw  # the schema says what is wrong with an empty box
                continue
            try:
                data[name] = _typed(field, raw)
            except ValidationError as error:
                self.errors[name] = error.messages[0]
        try:
            loaded = self.schema.load(data, partial=partial)
        except ValidationError as error:
            self.errors = {name: _first(messages) for name, messages in error.messages.items()} | self.errors
            return None
        return None if self.errors else loaded

    def fail(self, message, name="_form"):
        """Record a refusal from a service (a conflict, a limit) to show with the form."""
        self.errors[name] = message
        return None


def _first(messages):
    """The first readable message of a field's errors (lists, or nested by index or key)."""
    while isinstance(messages, (list, dict)) and messages:
        messages = messages[0] if isinstance(messages, list) else next(iter(messages.values()))
    return str(messages)
