"""Admin API authentication: `Authorization: Bearer <store API token>` selects the store."""

from functools import wraps

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ..services.stores import store_by_token
from .spec import other_responses, security


def _refuse(message):
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer", {"realm": "backorder admin API"}))


def token_required(view):
    """Authenticate the request with the store's API token and put the store in g.store."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _refuse("Send the store's API token as: Authorization: Bearer <token>")
        store = store_by_token(token.strip())
        if store is None:
            raise _refuse("This API token is not valid")
        g.store = store
        return view(*args, **kwargs)

    return other_responses({401: "Missing or invalid API token"})(security("storeToken")(wrapper))
