"""Importing products from CSV: every row checked by the API's own schema, then all saved or none.

The first line names the columns (any order; only `sku` is required). An empty cell leaves that
field as it is (a new product gets the default); `none` clears a field that may be empty
(`unlimited` too, for backorder_limit). Rows are numbered as a spreadsheet shows them: the header
is row 1.
"""

import csv
import io
import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from marshmallow import ValidationError, fields

from ..db import db
from ..models import IMPORT_KIND, ImportJob, Message, utcnow
from ..schemas.catalog import ProductBulkItem
from ..schemas.base import BackorderLimit
from .errors import BadPayload, UnknownImport
from .products import upsert_products

WHOLE_NUMBER = re.compile(r"-?[0-9]{1,11}")
MAX_ROWS = 10_000  # one transaction; far inside the bind-parameter limits of SQLite and PostgreSQL
KEPT_ERRORS = 200  # a rejected import keeps this many of its errors (and how many there were)
IMPORT_LEASE = timedelta(minutes=15)  # a worker that dies mid-import leaves it to another after this
FINISHED = ("done", "rejected", "failed")
CLEAR = {"none", "null"}
SCHEMA = ProductBulkItem()
COLUMNS = ["sku"] + [name for name in SCHEMA.fields if name != "sku"]
TEMPLATE_ROWS = [
    {"sku": "TEE-RED-M", "name": "Red tee (M)", "price": "24.00", "on_hand": "0", "mode": "backorder",
     "backorder_limit": "50", "back_in_stock_date": "2027-01-15", "handling_days": "2",
     "message": "Back from the dyers in January."},
    {"sku": "MUG-BLUE", "name": "Blue mug", "price": "14.50", "on_hand": "12", "safety_stock": "2", "mode": "notify"},
    {"sku": "BOOK-2", "name": "The sequel (signed)", "mode": "preorder", "release_date": "2027-03-01",
     "backorder_limit": "unlimited"},
]


@dataclass(frozen=True)
class RowError:
    """One thing wrong with the file: the row (1 = header), the column, and what is wrong."""

    row: int
    column: str
    message: str


class ImportRejected(BadPayload):
    """The file had errors: nothing was saved. `errors` lists them by row and column."""

    code = "import_rejected"

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file: nothing was imported")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int


def template_csv():
    """A CSV to start from: every column, three example rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def _typed(field, cell):
    """The JSON value a CSV cell stands for, given the schema field that will load it."""
    if cell.lower() in CLEAR or (isinstance(field, BackorderLimit) and cell.lower() == "unlimited"):
        return None
    if isinstance(field, (fields.Integer, BackorderLimit)) and WHOLE_NUMBER.fullmatch(cell):
        return int(cell)  # the schema then says what is wrong with it (too small, too big)
    return cell


def _messages(messages):
    """Flatten marshmallow's messages for one field into one sentence."""
    if isinstance(messages, dict):
        return " ".join(_messages(value) for value in messages.values())
    if isinstance(messages, list):
        return " ".join(_messages(value) for value in messages)
    return str(messages)


def read_products_csv(text):
    """Parse and check a CSV: ([(sku, fields)], [RowError]). Either list may be empty."""
    if text.startswith("\ufeff"):  # spreadsheets save UTF-8 with a byte-order mark
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [RowError(1, "", "The file is empty: the first line must name the columns (at least sku).")]
    except csv.Error as error:
        return [], [RowError(1, "", f"Not a readable CSV file: {error}")]
    errors = [RowError(1, name, f"Unknown column {name!r}; the columns are: {', '.join(COLUMNS)}.")
              for name in header if name not in SCHEMA.fields]
    errors += [RowError(1, name, "This column appears twice.") for index, name in enumerate(header)
               if name in header[:index]]
    if "sku" not in header:
        errors.append(RowError(1, "sku", "The sku column is required."))
    if errors:
        return [], errors
    items, seen = [], {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are skipped, as spreadsheets often leave some at the end
            if len(items) + len(errors) >= MAX_ROWS:
                return [], [RowError(number, "", f"Too many rows: at most {MAX_ROWS:,} per file. Split it.")]
            if len(cells) != len(header):
                errors.append(RowError(number, "", f"This row has {len(cells)} cells; the header has {len(header)}."))
                continue
            data = {name: _typed(SCHEMA.fields[name], cell.strip())
                    for name, cell in zip(header, cells) if cell.strip()}
            try:
                loaded = SCHEMA.load(data)
            except ValidationError as error:
                errors += [RowError(number, name, _messages(messages)) for name, messages in error.messages.items()]
                continue
            sku = loaded.pop("sku")
            if sku in seen:
                errors.append(RowError(number, "sku", f"Sku {sku!r} is already on row {seen[sku]}."))
                continue
            seen[sku] = number
            items.append((sku, loaded))
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "", f"Not a readable CSV line: {error}"))
    if not items and not errors:
        errors.append(RowError(2, "", "The file has a header but no products."))
    return items, errors


def import_products(store, text):
    """Check every row of a products CSV, then save all of them in one upsert (one transaction), or none.

    Raises ImportRejected with every error found; returns an ImportResult.
    """
    items, errors = read_products_csv(text)
    if errors:
        raise ImportRejected(errors)
    saved = upsert_products(store, items)
    created = sum(1 for _, is_new in saved if is_new)
    return ImportResult(len(saved), created, len(saved) - created)


def queue_import(store, text, filename, now=None):
    """Keep an uploaded CSV as a queued ImportJob and ask a worker to run it (the caller commits).

    A worker checks and saves it as `import_products` does; the admin page shows how it ends.
    """
    now = now or utcnow()
    job = ImportJob(store_id=store.id, filename=(filename or "products.csv")[:255], status="queued", csv=text,
                    errors=[], error_count=0, created_at=now)
    db.session.add(job)
    db.session.flush()
    db.session.add(Message(store_id=store.id, kind=IMPORT_KIND, recipient=job.filename, email_hash="", locale="",
                           payload={"task": "import", "job": job.id}, due_at=now, created_at=now))
    return job


def import_job_of(store, job_id):
    """One of this store's imports; another store's (or none) is UnknownImport."""
    job = db.session.get(ImportJob, job_id) if isinstance(job_id, int) else None
    if job is None or job.store_id != store.id:
        raise UnknownImport("No such import")
    return job


def recent_imports(store, limit=10):
    """The store's latest imports, newest first."""
    return db.session.execute(
        db.select(ImportJob).where(ImportJob.store_id == store.id).order_by(ImportJob.id.desc()).limit(limit)
    ).scalars().all()


def run_import_task(store, payload, config, renew=None, now=None):
    """The worker's task: run one queued import and record how it ended on the job. Returns a summary.

    The job is marked running (and the task's lease lengthened to IMPORT_LEASE) in a commit of its own,
    then the rows are checked and saved as `import_products` does. A worker killed before it
    records the end leaves the job running; the task is then run again, which saves the same values.
    """
    job = db.session.get(ImportJob, payload.get("job")) if isinstance(payload.get("job"), int) else None
    if job is None or job.store_id != store.id:
        raise BadPayload(f"No import {payload.get('job')!r} in this store")
    if job.status in FINISHED:
        return f"import {job.id} had already ended: {job.status}"
    job_id = job.id
    job.status, job.started_at = "running", now or utcnow()
    if renew is not None:
        renew(IMPORT_LEASE)
    db.session.commit()
    try:
        result = import_products(store, job.csv or "")
    except ImportRejected as rejected:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        job.status, job.error_count = "rejected", len(rejected.errors)
        job.errors = [asdict(error) for error in rejected.errors[:KEPT_ERRORS]]
        summary = f"rejected: {len(rejected.errors)} problem(s)"
    except Exception as error:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        job.status, job.reason = "failed", (getattr(error, "message", None) or f"{type(error).__name__}: {error}")[:500]
        _finish(job, now)
        db.session.commit()
        raise
    else:
        job = db.session.get(ImportJob, job_id)
        job.status, job.rows, job.created, job.updated = "done", result.rows, result.created, result.updated
        summary = f"{result.rows} row(s), {result.created} new, {result.updated} updated"
    _finish(job, now)
    return summary


def _finish(job, now):
    job.csv, job.finished_at = None, now or utcnow()  # the file is not kept once it is done
