"""Edge decorators for API views and the OpenAPI document built from them.

A view declares what it reads and answers, APIFairy-style:

    @bp.put("/products/<path:sku>")
    @body(ProductIn)
    @response(ProductOut, 200, "The product")
    def put_product(fields, sku): ...

`body` and `arguments` load and validate with marshmallow and pass the result as positional
arguments; `response` dumps what the view returns. The same declarations describe the view in
/api/v1/openapi.json, so the document cannot drift from what the code accepts.
"""

import json
import re
from functools import wraps

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, current_app, jsonify, request
from marshmallow import fields
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from ..schemas import BackorderLimit, Error, Money


def _spec(view):
    return view.__dict__.setdefault("_openapi", {"responses": {}, "parameters": []})


def _decorate(view, call):
    @wraps(view)
    def wrapper(*args, **kwargs):
        return call(*args, **kwargs)

    return wrapper


def json_body():
    """The request's JSON body: 415 unless it says it is JSON, 400 if it is not valid JSON."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json")
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH raises 413 here
    limit = request.max_content_length
    # ...but a chunked body (no Content-Length) is cut at the limit without a word: refuse it if more follows.
    if request.content_length is None and limit is not None and len(raw) >= limit and request.input_stream.read(1):
        raise RequestEntityTooLarge("The body is larger than the server accepts")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise BadRequest("The body is not valid JSON") from None


def body(schema_class, description=None, required=True):
    """Load the JSON body with this schema (a list of objects for a many=True schema).

    With required=False an empty body, whatever its content type, reads as {}.
    """
    schema = schema_class() if isinstance(schema_class, type) else schema_class

    def decorator(view):
        def call(*args, **kwargs):
            empty = not required and not request.content_length and not request.get_data(cache=True)
            return view(*args, schema.load({} if empty else json_body()), **kwargs)

        wrapper = _decorate(view, call)
        _spec(wrapper)["requestBody"] = {
            "required": required,
            "description": description or "",
            "content": {"application/json": {"schema": schema}},
        }
        return wrapper

    return decorator


def arguments(schema_class):
    """Load the query string with this schema; List fields take every repeated value."""
    schema = schema_class()

    def decorator(view):
        def call(*args, **kwargs):
            raw = {
                name: request.args.getlist(name) if isinstance(field, fields.List) else request.args[name]
                for name, field in schema.fields.items()
                if name in request.args
            }
            return view(*args, schema.load(raw), **kwargs)

        wrapper = _decorate(view, call)
        _spec(wrapper)["parameters"].append({"in": "query", "schema": schema_class})
        _spec(wrapper)["responses"]["422"] = {"description": "Query string errors",
                                              "content": {"application/json": {"schema": Error}}}
        return wrapper

    return decorator


def response(schema_class, status=200, description="Success"):
    """Dump the view's return value with this schema. The view may return (value, status)."""
    schema = schema_class()

    def decorator(view):
        def call(*args, **kwargs):
            value = view(*args, **kwargs)
            if isinstance(value, Response):
                return value
            code = status
            if isinstance(value, tuple):
                value, code = value
            answer = jsonify(schema.dump(value))
            answer.status_code = code
            return answer

        wrapper = _decorate(view, call)
        _spec(wrapper)["responses"][str(status)] = {
            "description": description, "content": {"application/json": {"schema": schema_class}},
        }
        return wrapper

    return decorator


def csv_too(view):
    """Document the 200 answer's other form: text/csv with ?format=csv (place it above @response)."""
    answer = _spec(view)["responses"]["200"]
    answer["description"] += ". With ?format=csv: every matching row as a CSV download (UTF-8, a header row)"
    answer["content"]["text/csv"] = {"schema": {"type": "string"}}
    return view


def other_responses(responses):
    """Document further answers: {status: description}. Errors use the one error schema."""

    def decorator(view):
        for status, description in responses.items():
            entry = {"description": description}
            if status >= 400:
                entry["content"] = {"application/json": {"schema": Error}}
            _spec(view)["responses"][str(status)] = entry
        return view

    return decorator


def security(scheme):
    """Document that a view needs this security scheme (the check itself is the auth decorator)."""

    def decorator(view):
        _spec(view)["security"] = [{scheme: []}]
        return view

    return decorator


def _custom_field_property(self, field, **kwargs):
    """OpenAPI for the fields marshmallow's converter cannot describe by itself."""
    if isinstance(field, Money):
        return {"type": "string", "format": "decimal", "pattern": r"^\d{1,10}(\.\d+)?$", "example": "24.50",
                "description": "An amount as a string; a JSON number is accepted too"}
    if isinstance(field, BackorderLimit):
        return {
            # null sits in the integer branch: OpenAPI 3.0 ignores "nullable" beside oneOf without a "type"
            "oneOf": [{"type": "integer", "minimum": 0, "nullable": True}, {"type": "string", "enum": ["incoming"]}],
            "nullable": True,
            "description": 'Units that may be backordered at once; null: no limit; "incoming": what is on order',
        }
    return {}


def _openapi_path(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)


def _path_parameter_schema(converter):
    """What a URL converter matches, as a schema: the router answers 404 for anything else."""
    if type(converter).__name__ == "IntegerConverter":
        return {"type": "integer", "minimum": 0}
    choices = converter.regex.split("|")
    if all(choice.isalnum() for choice in choices):  # a fixed set of names (platforms)
        return {"type": "string", "enum": choices}
    if converter.regex in ("[^/]+", "[^/].*?"):  # werkzeug's defaults: any text
        return {"type": "string"}
    return {"type": "string", "pattern": f"^{converter.regex}$"}


def _path_parameters(rule):
    return [{"in": "path", "name": name, "required": True, "schema": _path_parameter_schema(converter)}
            for name, converter in rule._converters.items()]


def build_openapi(app):
    """The OpenAPI 3 document for every view declared with these decorators."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="backorder API", version="1.0.0", openapi_version="3.0.3", plugins=[plugin],
        info={"description": "Availability, backorders, shipments, ETAs and restock alerts for a store. "
                             "Errors are always {\"error\": {\"code\", \"message\", \"fields\"?, "
                             "\"details\"?}}."},
        servers=[{"url": app.config["PUBLIC_URL"]}],
    )
    plugin.converter.add_attribute_function(_custom_field_property)
    spec.components.schema("Error", schema=Error)
    spec.components.security_scheme("storeToken", {"type": "http", "scheme": "bearer",
                                                   "description": "The store's admin API token"})
    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "_openapi", None)
        if declared is None:
            continue
        operations = paths.setdefault(_openapi_path(rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": rule.endpoint.replace(".", "_"),
                "summary": (view.__doc__ or "").strip().splitlines()[0] if view.__doc__ else "",
                "tags": [rule.endpoint.split(".")[0]],
                "parameters": _path_parameters(rule) + list(declared["parameters"]),
                "responses": dict(declared["responses"]),
            }
            success = next((entry["content"] for status, entry in sorted(declared["responses"].items())
                            if status.startswith("2") and "content" in entry), None)
            for status, entry in declared["responses"].items():
                if status.startswith("2") and "content" not in entry and success:  # 200 on update: the 201's body
                    operation["responses"][status] = {**entry, "content": success}
            for key in ("requestBody", "security"):
                if key in declared:
                    operation[key] = declared[key]
            if rule._converters:  # the router's answer to a path it does not match, or the view's to an unknown id
                operation["responses"].setdefault("404", {"description": "No such path or object",
                                                          "content": {"application/json": {"schema": Error}}})
            if "requestBody" in declared:
                operation["responses"].setdefault("400", {"description": "Body is not valid JSON",
                                                          "content": {"application/json": {"schema": Error}}})
                operation["responses"].setdefault("413", {"description": "Body larger than MAX_CONTENT_LENGTH",
                                                          "content": {"application/json": {"schema": Error}}})
                operation["responses"].setdefault("415", {"description": "Body is not JSON",
                                                          "content": {"application/json": {"schema": Error}}})
                operation["responses"].setdefault("422", {"description": "Field errors",
                                                          "content": {"application/json": {"schema": Error}}})
            operations[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def openapi_document():
    """The document for the running app, built once per process."""
    cached = current_app.extensions.get("backorder.openapi")
    if cached is None:
        cached = current_app.extensions["backorder.openapi"] = build_openapi(current_app)
    return cached
