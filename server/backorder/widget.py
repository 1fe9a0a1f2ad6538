"""Serves the storefront widget, built by esbuild into static/widget.js (`make widget`)."""

import hashlib
import os
import re

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

bp = Blueprint("widget", __name__)

PUBLIC_KEY = re.compile(r"pk_[A-Za-z0-9_-]{1,64}")
# For script managers that add a src but no attributes (BigCommerce's Scripts API, `src` kind):
# /widget.js?store=pk_… gives the widget its own tag's data-store before it reads it.
STORE_PREFIX = '(function(s){s&&!s.dataset.store&&(s.dataset.store="%s")})(document.currentScript);\n'


@bp.get("/widget.js")
def widget_js():
    """The widget script every storefront loads: public, cacheable, the same for every store."""
    path = os.path.join(current_app.root_path, "static", "widget.js")
    try:
        with open(path, "rb") as built:  # a few kilobytes: read whole, so no file stays open
            script = built.read()
    except FileNotFoundError:
        raise NotFound("The widget is not built: run `make widget` (npm ci && npm run build).") from None
    store = request.args.get("store", "")
    if PUBLIC_KEY.fullmatch(store):
        script = (STORE_PREFIX % store).encode() + script
    answer = Response(script, mimetype="text/javascript")
    answer.headers["Cache-Control"] = "public, max-age=300"
    answer.headers["ETag"] = '"' + hashlib.blake2b(script, digest_size=16).hexdigest() + '"'
    answer.headers["Access-Control-Allow-Origin"] = "*"  # code, no store data: any storefront may load it
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer.make_conditional(request)
