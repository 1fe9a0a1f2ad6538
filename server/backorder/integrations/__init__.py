"""BigCommerce, Shopify and WooCommerce: check webhook signatures, read payloads, call the REST APIs.

No database here: these modules turn platform shapes into plain values (services/ applies them)
and talk HTTP with `requests` (http.py: timeouts, retries with backoff, rate limits).
"""
