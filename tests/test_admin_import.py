"""Importing products from CSV: the page, the template, errors by row and column, all or nothing,
10,000 rows, and the `backorder import` command, all over the same service. An upload is kept as an
import job that the worker runs (its own task in the outbox); its page shows how it ended."""

import csv
import io
import json
import re
import time
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backorder.db import db
from backorder.models import IMPORT_KIND, ImportJob, Message, Product, Store
from backorder.services import imports, products
from backorder.services.outbox import claim_due_messages
from backorder.services.platform_tasks import run_due_tasks

GOOD = ("sku,name,price,on_hand,mode,backorder_limit,back_in_stock_date,handling_days,message\r\n"
        "LAMP,Brass lamp,89.00,0,backorder,10,2099-01-15,2,Hand-made\r\n"
        "MUG,Mug,14.50,12,notify,unlimited,,none,\r\n")


def _upload(admin, text, name="products.csv"):
    """Post a file as a browser does. Encoded in memory: the test client's own encoder spools big bodies
    to a temporary file it never closes (a ResourceWarning, which the suite turns into an error)."""
    raw = text.encode() if isinstance(text, str) else text
    boundary, body = encode_multipart({"csrf_token": admin.csrf, "file": FileStorage(io.BytesIO(raw), name)})
    return admin.client.post("/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _run_worker(app):
    """One pass of the worker's tasks, as `backorder worker` runs them; returns its Tally."""
    with app.app_context():
        return run_due_tasks("test-worker", app.config)


def _import(app, admin, text, name="products.csv"):
    """Upload, let the worker run the import, and return its page as the browser then sees it."""
    answer = _upload(admin, text, name)
    assert answer.status_code == 303, answer.text
    _run_worker(app)
    return admin.get(answer.headers["Location"])


def _skus(app, store):
    with app.app_context():
        return db.session.execute(
            db.select(Product.sku).where(Product.store_id == store.id).order_by(Product.sku)).scalars().all()


def _errors(page):
    rows = re.findall(r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    return [(row, column, message) for row, column, message in rows]


def test_page_documents_every_column_and_offers_a_template(admin):
    page = admin.get("/admin/import").text
    for column in imports.COLUMNS:
        assert f"<code>{column}</code>" in page, column
    assert 'enctype="multipart/form-data"' in page and "admin/import.js" in page
    template = admin.get("/admin/import/template.csv")
    assert template.mimetype == "text/csv" and "attachment" in template.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(template.text)))
    assert header == imports.COLUMNS and len(rows) == 3


def test_the_template_imports_as_it_is(app, admin, store):
    answer = _import(app, admin, admin.get("/admin/import/template.csv").text)
    assert answer.status_code == 200 and "3 row(s), 3 new product(s), 0 updated" in answer.text
    assert _skus(app, store) == ["BOOK-2", "MUG-BLUE", "TEE-RED-M"]


def test_a_valid_file_creates_and_updates_and_empty_cells_leave_fields_alone(app, admin, store, make_product):
    make_product("MUG", name="Old mug", safety_stock=3, backorder_limit=5, handling_days=4)
    answer = _import(app, admin, GOOD)
    assert answer.status_code == 200 and "2 row(s), 1 new product(s), 1 updated" in answer.text
    with app.app_context():
        shop = db.session.get(Store, store.id)
        lamp, mug = products.get_product(shop, "LAMP"), products.get_product(shop, "MUG")
        assert (lamp.mode, lamp.backorder_limit, lamp.back_in_stock_date, lamp.handling_days, str(lamp.price)) == (
            "backorder", 10, date(2099, 1, 15), 2, "89.00")
        assert (mug.name, mug.on_hand, mug.safety_stock, mug.backorder_limit, mug.handling_days) == (
            "Mug", 12, 3, None, None)  # safety stock untouched; unlimited and none cleared


def test_one_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(app, admin, store):
    text = GOOD + "CAP,Cap,abc,-1,sometimes,,2099-02-30,,\r\nLAMP,Again,,,,,,,\r\n"
    answer = _import(app, admin, text)
    assert answer.status_code == 200 and "Nothing was imported: 5 problem(s) in products.csv" in answer.text
    assert _errors(answer.text) == [
        ("4", "price", "Not a valid number."),
        ("4", "on_hand", "Must be greater than or equal to 0 and less than or equal to 1000000000."),
        ("4", "mode", "Must be one of: notify, backorder, preorder."),
        ("4", "back_in_stock_date", "Not a valid date."),
        ("5", "sku", "Sku &#39;LAMP&#39; is already on row 2."),
    ]
    assert _skus(app, store) == []


@pytest.mark.parametrize("text, expected", [
    ("", (1, "", "The file is empty")),
    ("name,colour\r\nx,red\r\n", (1, "colour", "Unknown column 'colour'")),
    ("name\r\nx\r\n", (1, "sku", "The sku column is required.")),
    ("sku,sku\r\nA,B\r\n", (1, "sku", "This column appears twice.")),
    ("sku,name\r\nA\r\n", (2, "", "This row has 1 cells; the header has 2.")),
    ("sku,name\r\n", (2, "", "The file has a header but no products.")),
    ("sku,on_hand\r\nA,3.5\r\n", (2, "on_hand", "Not a valid integer.")),
    ("sku,backorder_limit\r\nA,lots\r\n", (2, "backorder_limit", "Must be a whole number of units, null or")),
    ("sku,name\r\n,Nameless\r\n", (2, "sku", "Missing data for required field.")),
])
def test_file_problems_are_named(app, store, text, expected):
    items, errors = imports.read_products_csv(text)
    assert items == [] and errors, errors
    row, column, start = expected
    assert (errors[0].row, errors[0].column) == (row, column) and errors[0].message.startswith(start), errors


def test_blank_lines_and_a_byte_order_mark_are_fine():
    items, errors = imports.read_products_csv("\ufeffsku,on_hand\r\nA,1\r\n\r\n,\r\n")
    assert errors == [] and items == [("A", {"on_hand": 1})]


def test_not_a_file_or_not_utf8_is_refused_with_a_message(app, admin, store):
    assert "Choose a CSV file to upload." in admin.post("/admin/import", data={}).text
    answer = _upload(admin, "sku,name\r\nA,Caf\xe9\r\n".encode("latin-1"))
    assert answer.status_code == 422 and "not UTF-8" in answer.text and _skus(app, store) == []


def _big_file(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name", "price", "on_hand", "safety_stock", "mode", "backorder_limit",
                     "back_in_stock_date", "handling_days", "message", "url"])
    for n in range(rows):
        writer.writerow([f"SKU-{n:05}", f"Product number {n} with a longer name", "12.50", n % 5, 1, "backorder",
                         50, "2099-01-15", 2, "Back from the workshop in January, hand-finished.",
                         f"https://shop.example.com/products/sku-{n:05}"])
    return out.getvalue()


def test_ten_thousand_rows_import_in_one_go(app, admin, store):
    text = _big_file(10_000)
    assert len(text.encode()) > 1024 * 1024  # past the app's usual request limit: the import page allows more
    started = time.perf_counter()
    answer = _import(app, admin, text)
    took = time.perf_counter() - started
    assert answer.status_code == 200 and "10000 row(s), 10000 new product(s)" in answer.text
    assert len(_skus(app, store)) == 10_000
    assert took < 60, f"10,000 rows took {took:.1f} s"  # measured in docs/admin.md; this only catches a regression


def test_too_many_rows_are_refused(app, store):
    items, errors = imports.read_products_csv("sku\r\n" + "".join(f"S{n}\r\n" for n in range(imports.MAX_ROWS + 1)))
    assert items == [] and "Too many rows" in errors[0].message


def test_imports_go_to_the_current_store_only(app, admin, store, other_store):
    _import(app, admin, GOOD)
    assert _skus(app, other_store) == [] and _skus(app, store) == ["LAMP", "MUG"]


def test_an_upload_waits_for_a_worker_and_its_page_says_so(app, admin, store):
    answer = _upload(admin, GOOD, name="spring.csv")
    assert answer.status_code == 303 and re.fullmatch(r"/admin/import/\d+", answer.headers["Location"])
    assert _skus(app, store) == []  # nothing saved by the request itself
    waiting = admin.get(answer.headers["Location"])
    assert waiting.status_code == 200 and "spring.csv is uploaded and waits for a worker" in waiting.text
    assert f'data-pending="{answer.headers["Location"]}"' in waiting.text
    assert _run_worker(app).sent == 1
    done = admin.get(answer.headers["Location"])
    assert "Imported spring.csv: 2 row(s), 2 new product(s), 0 updated." in done.text
    assert "data-pending" not in done.text
    listed = admin.get("/admin/import").text  # the Import page lists it, with its result
    assert "spring.csv</a>" in listed and "2 row(s): 2 new, 0 updated" in listed
    with app.app_context():
        (job,) = db.session.execute(db.select(ImportJob)).scalars().all()
        assert (job.status, job.csv, job.rows) == ("done", None, 2)  # the file is not kept once imported
    assert _run_worker(app).sent == 0  # run once


def test_import_tasks_are_never_taken_for_emails(app, admin, store):
    _upload(admin, GOOD)
    with app.app_context():
        assert claim_due_messages("mailer", 10, 60) == []  # the mail side of the worker leaves it alone
        assert db.session.execute(db.select(Message.kind)).scalars().all() == [IMPORT_KIND]
    assert "No emails." in admin.get("/admin/messages").text  # nor listed as one in the delivery log


def test_a_job_that_already_ended_is_not_run_again(app, admin, store, make_product):
    location = _upload(admin, GOOD).headers["Location"]
    _run_worker(app)
    with app.app_context():
        job = db.session.execute(db.select(ImportJob)).scalar_one()
        shop = db.session.get(Store, store.id)
        products.upsert_products(shop, [("LAMP", {"name": "Renamed since"})])
        summary = imports.run_import_task(shop, {"task": "import", "job": job.id}, app.config)
        assert summary == f"import {job.id} had already ended: done"
        assert products.get_product(shop, "LAMP").name == "Renamed since"
    assert "Imported products.csv" in admin.get(location).text


def test_an_import_whose_worker_died_is_run_again_after_its_lease(app, admin, store):
    from datetime import timedelta

    from backorder.models import utcnow

    _upload(admin, GOOD)
    with app.app_context():
        job = db.session.execute(db.select(ImportJob)).scalar_one()
        job.status = "running"  # a worker marked it running, took the lease, and was killed
        message = db.session.execute(db.select(Message)).scalar_one()
        message.claimed_by, message.lease_until = "dead-worker", utcnow() + imports.IMPORT_LEASE
        db.session.commit()
    assert _run_worker(app).sent == 0 and _skus(app, store) == []  # still leased
    with app.app_context():
        db.session.execute(db.update(Message).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _run_worker(app).sent == 1 and _skus(app, store) == ["LAMP", "MUG"]


def test_a_running_import_holds_its_task_for_the_long_lease(app, admin, store):
    from backorder.models import utcnow

    _upload(admin, GOOD)
    seen = {}

    def spy(original):
        def import_products(shop, text):
            message = db.session.execute(db.select(Message)).scalar_one()
            job = db.session.execute(db.select(ImportJob)).scalar_one()
            seen.update(lease=message.lease_until, status=job.status)
            return original(shop, text)
        return import_products

    original = imports.import_products
    imports.import_products = spy(original)
    try:
        _run_worker(app)
    finally:
        imports.import_products = original
    assert seen["status"] == "running"
    lease = seen["lease"] if seen["lease"].tzinfo else seen["lease"].replace(tzinfo=utcnow().tzinfo)
    assert lease - utcnow() > imports.IMPORT_LEASE * 0.9  # not the 60 s an email gets


def test_an_import_that_breaks_says_so_and_saves_nothing(app, admin, store, monkeypatch):
    def broken(shop, items):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "upsert_products", broken)
    location = _upload(admin, GOOD).headers["Location"]
    tally = _run_worker(app)
    assert tally.failed == 1
    page = admin.get(location).text
    assert "Nothing was imported from products.csv" in page and "RuntimeError: disk on fire" in page
    assert _skus(app, store) == []


def test_another_stores_import_is_not_found(app, admin, store, other_store):
    with app.app_context():
        job = imports.queue_import(db.session.get(Store, other_store.id), GOOD, "theirs.csv")
        db.session.commit()
        job_id = job.id
    answer = admin.get(f"/admin/import/{job_id}")
    assert answer.status_code == 404 and "theirs.csv" not in answer.text
    assert admin.get("/admin/import/999999").status_code == 404


def test_the_command_imports_a_file_or_lists_its_errors(app, runner, store, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["import", str(good), "--store", store.public_key])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"rows": 2, "created": 2, "updated": 0}
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,on_hand\r\nNEW,x\r\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(bad), "--store", store.public_key])
    assert result.exit_code == 1
    assert "row 2, column on_hand: Not a valid integer." in result.stderr and "nothing was imported" in result.stderr
    assert _skus(app, store) == ["LAMP", "MUG"]
    unknown = runner.invoke(args=["import", str(good), "--store", "pk_nope"])
    assert unknown.exit_code == 2 and "no store has the public key" in unknown.stderr
