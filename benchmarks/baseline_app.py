"""The bare Flask baseline for benchmarks/availability.py: one endpoint, one constant JSON body.

The body is the JSON text in BENCH_BASELINE_BODY (availability.py passes the real 1-sku answer,
so both send the same bytes); Flask serialises it per request, as any small JSON view would.
Serve it with: gunicorn 'baseline_app:app' (from the benchmarks folder).
"""

import json
import os

from flask import Flask

BODY = json.loads(os.environ.get("BENCH_BASELINE_BODY", '{"items": []}'))

app = Flask(__name__)
app.json.sort_keys = False  # as the backorder app, so the body keeps its size and order


@app.get("/baseline")
def baseline():
    return BODY
