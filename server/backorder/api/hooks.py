"""Platform webhooks: POST /hooks/{public_key}/bigcommerce|shopify|woocommerce.

Not in the OpenAPI document: the platforms define these payloads, not us (docs/platforms/).
"""

from flask import Blueprint, request

from ..services.webhooks import receive_webhook

bp = Blueprint("hooks", __name__)


@bp.post("/<public_key:public_key>/<platform:platform>")
def receive(public_key, platform):
    """Authenticate a delivery, drop repeats, apply it or queue it: 200 fast, 401 if not authentic."""
    return receive_webhook(public_key, platform, request.headers, request.get_data(cache=False))
