"""Every error becomes one JSON shape under /api and /hooks, and a plain page for people elsewhere.

Views raise; they never build error responses. Shape: {"error": {"code", "message", "fields"?, "details"?}}.
"""

import logging
import sqlite3

import psycopg
from flask import jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .ratelimit import RateLimitUnavailable
from .services.errors import (BadGateway, BadPayload, Conflict, DomainError, Forbidden, NotFound, Unauthenticated,
                              Unavailable)

log = logging.getLogger(__name__)

DOMAIN_STATUS = ((NotFound, 404), (Forbidden, 403), (Conflict, 409), (Unauthenticated, 401), (BadPayload, 400),
                 (BadGateway, 502), (Unavailable, 503))

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    507: "storage_full",
}

# The drivers' own errors: raised bare where a service talks to the driver directly (a raw connection's
# checkout is not wrapped by SQLAlchemy), and a lost database must still answer 503.
DRIVER_OPERATIONAL_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)
SQLITE_READONLY, SQLITE_FULL = 8, 13  # result codes (the low byte of an extended one)


def wants_json():
    return request.path.startswith(("/api/", "/hooks/"))


def error_response(status, code, message, field_errors=None, details=None, headers=None):
    body = {"code": code, "message": message}
    if field_errors is not None:
        body["fields"] = field_errors
    if details:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    response.headers.extend(headers or {})
    return response


def domain_error(error):
    status = next(status for kind, status in DOMAIN_STATUS if isinstance(error, kind))
    headers = {"Retry-After": "5"} if status == 503 else None
    return error_response(status, error.code, error.message, details=error.details, headers=headers)


def validation_error(error):
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return error_response(422, "validation_failed", "Some fields are not valid", field_errors=messages)


def http_error(error):
    if not wants_json():
        return error
    code = getattr(error, "api_code", None) or HTTP_CODES.get(error.code, "error")
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
    return error_response(error.code, code, error.description, headers=headers)


def database_problem(error):
    """(status, code, message) for a database error: a full disk and a read-only database say so, for an operator.

    Neither is fixed by retrying at once, and both refuse the whole write (SQLite and PostgreSQL roll it back).
    """
    original = getattr(error, "orig", error)
    sqlite_code = (getattr(original, "sqlite_errorcode", None) or 0) & 0xFF
    if sqlite_code == SQLITE_FULL or getattr(original, "sqlstate", None) == "53100":
        return 507, "storage_full", "The database's disk is full: nothing was saved. Free disk space, then retry."
    if sqlite_code == SQLITE_READONLY:
        return 503, "read_only", ("The database is read-only (file or folder permissions, a read-only mount): "
                                  "nothing was saved.")
    return 503, "unavailable", "The service is unavailable for a moment; please retry"


def unavailable(error):
    """The database, or the rate-limit storage, cannot be reached: 503, never let a request through unchecked."""
    log.error("unavailable (%s): %s", type(error).__name__, error)
    status, code, message = database_problem(error)
    if not wants_json():
        return message, status, {"Retry-After": "5"}
    return error_response(status, code, message, headers={"Retry-After": "5"})


def unexpected_error(error):
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not wants_json():
        return InternalServerError()
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged")


def init_app(app):
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(ValidationError, validation_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, unavailable)
    for driver_error in DRIVER_OPERATIONAL_ERRORS:
        app.register_error_handler(driver_error, unavailable)
    app.register_error_handler(RateLimitUnavailable, unavailable)
    app.register_error_handler(Exception, unexpected_error)
