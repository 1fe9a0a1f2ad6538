"""Import: a products CSV, uploaded here and kept as an import job; a worker checks its rows with the
API's schema and saves them all or none, and the job's page shows how it ended."""

from flask import Response, current_app, g, redirect, render_template, request, url_for

from ..db import db
from ..services import imports
from ..services.imports import COLUMNS, MAX_ROWS
from . import bp

MAX_FILE_BYTES = 8 * 1024 * 1024  # 10,000 rows of every column fit easily


@bp.before_app_request
def allow_large_imports():
    """The upload may pass the app's request limit (MAX_CONTENT_LENGTH); set before the admin guard reads it."""
    if request.endpoint == "admin.imports" and request.method == "POST":
        request.max_content_length = max(MAX_FILE_BYTES, current_app.config["MAX_CONTENT_LENGTH"] or 0)


def _page(job=None, errors=None, filename=None, status=200):
    """The Import page; with a job, the result area shows that import (still running, done, or its errors)."""
    if job is not None and job.status == "rejected":
        errors, filename = job.errors, job.filename
    error_count = job.error_count if job is not None and job.status == "rejected" else len(errors or [])
    return render_template("admin/import.html", columns=COLUMNS, max_rows=MAX_ROWS, job=job, errors=errors or [],
                           error_count=error_count, filename=filename, recent=imports.recent_imports(g.store),
                           max_mb=MAX_FILE_BYTES // (1024 * 1024)), status


@bp.route("/import", methods=["GET", "POST"], endpoint="imports")
def import_products():
    """Upload a products CSV: it is kept and queued for a worker, and the browser goes to its import's page."""
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
    job = imports.queue_import(g.store, text, upload.filename)
    db.session.commit()
    return redirect(url_for("admin.import_job", job_id=job.id), 303)


@bp.get("/import/<int:job_id>", endpoint="import_job")
def import_job(job_id):
    """One import: waiting for a worker, running, done (with its counts), rejected (every error) or failed."""
    return _page(job=imports.import_job_of(g.store, job_id))


@bp.get("/import/template.csv")
def imports_template():
    """A CSV with every column and three example rows, to fill in."""
    return Response(imports.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=products-template.csv"})
