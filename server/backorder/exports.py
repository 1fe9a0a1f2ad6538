"""CSV downloads: rows streamed as UTF-8 CSV with a header row, columns named as in the row's JSON schema.

Values are written as the JSON answers have them (amounts with two decimals, ISO dates, true/false,
empty for null). Text starting with = + - @ or a tab gets a leading apostrophe, so a spreadsheet shows
it instead of running it as a formula (OWASP "CSV injection").
"""

import csv
import io
from datetime import date
from decimal import Decimal

from flask import Response, stream_with_context
from marshmallow import fields

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 32 * 1024


def text_cell(value):
    """Text as CSV: empty for null, an apostrophe before anything a spreadsheet would run as a formula."""
    if value is None:
        return ""
    value = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def formatter(field):
    """value -> CSV text for a schema field, as the JSON answer writes it (whatever type the database returned)."""
    if isinstance(field, fields.Boolean):
        return lambda value: "" if value is None else ("true" if value else "false")
    if isinstance(field, fields.Integer):
        return lambda value: "" if value is None else str(int(value))
    if isinstance(field, fields.Decimal):
        return lambda value: "" if value is None else f"{Decimal(value).quantize(CENTS)}"
    if isinstance(field, fields.Float):
        return lambda value: "" if value is None else repr(round(float(value), 6))
    return text_cell


CENTS = Decimal("0.01")


def csv_lines(row_schema, rows):
    """The CSV text in chunks: the header (the schema's fields), then each row (a mapping) in that order."""
    columns = [(name, formatter(field)) for name, field in row_schema().fields.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([write(row.get(name)) for name, write in columns])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename, row_schema, rows):
    """A streamed CSV download of `rows` with the fields of `row_schema` as columns."""
    return Response(stream_with_context(csv_lines(row_schema, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"',
                             "Cache-Control": "no-store"})
