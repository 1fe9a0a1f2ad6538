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


def cell(value):
    """One value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def _as_field(field):
    """How a column's value is written: whole numbers as such, whatever number type the database returned."""
    if isinstance(field, fields.Integer):
        return lambda value: None if value is None else int(value)
    if isinstance(field, fields.Decimal):
        return lambda value: None if value is None else Decimal(value)
    return lambda value: value


def csv_lines(row_schema, rows):
    """The CSV text in chunks: the header (the schema's fields), then each row (a mapping) in that order."""
    columns = [(name, _as_field(field)) for name, field in row_schema().fields.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([cell(convert(row.get(name))) for name, convert in columns])
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
