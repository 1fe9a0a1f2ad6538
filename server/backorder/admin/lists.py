"""What the admin's lists share: filters read from the query string with the REST API's query schemas."""

from flask import abort, request
from marshmallow import ValidationError

from ..services.errors import UnknownProduct

PAGE = 50  # rows on one page of a list


class Filters:
    """A list's filters: what was typed (values), what the schema loaded (data), and errors by field."""

    def __init__(self, values, data, errors):
        self.values, self.data, self.errors = values, data, errors


def read_filters(schema_class, names):
    """The query string's non-empty `names`, loaded by the API's query schema, as Filters.

    A value the schema refuses is left out of the data, and its message kept by name to show
    beside its field.
    """
    schema = schema_class(only=names)
    raw = {name: request.args[name].strip() for name in names if request.args.get(name, "").strip()}
    try:
        return Filters(request.args, schema.load(raw), {})
    except ValidationError as error:
        errors = {name: messages[0] for name, messages in error.messages.items()}
        return Filters(request.args, schema.load({name: value for name, value in raw.items() if name not in errors}),
                       errors)


def export_filters(schema_class, names):
    """The filters of a CSV download: a value the schema refuses is a 400, never a silently wider export."""
    filters = read_filters(schema_class, names)
    if filters.errors:
        abort(400, " ".join(f"{name}: {message}" for name, message in filters.errors.items()))
    return filters.data


def listed(fetch, filters):
    """fetch(**filters.data)'s rows, or none with the sku's error when the filter names a product the store lacks."""
    try:
        return fetch(**filters.data)
    except UnknownProduct as error:
        filters.errors["sku"] = error.message
        return []


def next_after(rows, key=lambda row: row.id):
    """The ?after= of the next page, or None on the last."""
    return key(rows[-1]) if len(rows) == PAGE else None


def choices(values, anything):
    """A filter's <select> options: `anything` (no filter) first, then each value."""
    return [("", anything)] + [(value, value.replace("_", " ")) for value in values]
