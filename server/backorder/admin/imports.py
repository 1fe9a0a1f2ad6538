"""Import: a products CSV, checked row by row by the API's schema, then saved all at once or not at all."""

from flask import Response, current_app, g, render_template, request

from ..services import imports
from ..services.imports import COLUMNS, MAX_ROWS, ImportRejected
from . import bp

MAX_FILE_BYTES = 8 * 1024 * 1024  # 10,000 rows of every column fit easily
SHOWN_ERRORS = 200


@bp.before_app_request
def allow_large_imports():
    """The upload may pass the app's request limit (MAX_CONTENT_LENGTH); set before the admin guard reads it."""
    if request.endpoint == "admin.imports" and request.method == "POST":
        request.max_content_length = max(MAX_FILE_BYTES, current_app.config["MAX_CONTENT_LENGTH"] or 0)


def _page(result=None, errors=None, filename=None, status=200):
    return render_template("admin/import.html", columns=COLUMNS, max_rows=MAX_ROWS, result=result,
                           errors=(errors or [])[:SHOWN_ERRORS], error_count=len(errors or []),
                           filename=filename, max_mb=MAX_FILE_BYTES // (1024 * 1024)), status


@bp.route("/import", methods=["GET", "POST"], endpoint="imports")
def import_products():
    """Upload a products CSV: every row is checked first; all are saved, or none and every error is listed."""
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(errors=[imports.RowError(0, "", "Choose a CSV file to upload.")], status=422)
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        error = imports.RowError(0, "", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        return _page(errors=[error], filename=upload.filename, status=422)
    try:
        result = imports.import_products(g.store, text)
    except ImportRejected as rejected:
        return _page(errors=rejected.errors, filename=upload.filename, status=422)
    return _page(result=result, filename=upload.filename)


@bp.get("/import/template.csv")
def imports_template():
    """A CSV with every column and three example rows, to fill in."""
    return Response(imports.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=products-template.csv"})
