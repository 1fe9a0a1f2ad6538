"""The worker: a loop that plans campaign waves, sends due messages and runs tasks (platform work, CSV
imports), until told to stop.

Run as `backorder worker` (any number side by side), as `backorder send-due` from cron (one pass),
or as a thread inside `backorder run` for development.
"""

import logging
import os
import socket
import threading

from sqlalchemy.exc import OperationalError

from .db import db
from .mail.transports import transport_from_url
from .services.outbox import send_due
from .services.platform_tasks import run_due_tasks
from .services.webhooks import prune_deliveries

log = logging.getLogger(__name__)


def worker_name():
    """Who holds a claim: host, process and thread, so a dead worker's rows can be told apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[-64:]


def one_pass(app, transport, name, stop=None, mail_seconds=None):
    """Send what is due now (until `stop` is set, or for about `mail_seconds`), then run the due tasks.

    A database outage is logged and retried on the next pass.
    """
    with app.app_context():
        try:
            tally = send_due(transport, name, app.config, stop=stop, seconds=mail_seconds)
            tasks = run_due_tasks(name, app.config, stop=stop)
            prune_deliveries(app.config["WEBHOOK_DEDUPE_DAYS"])
        except OperationalError as error:
            log.error("worker: database unavailable, retrying: %s", str(error).splitlines()[0])
            return None
        finally:
            db.remove_session()
    if tasks.sent or tasks.failed or tasks.retried:
        log.info("worker: tasks (platform, import) done %d, retried %d, failed %d",
                 tasks.sent, tasks.retried, tasks.failed)
    if tally.sent or tally.failed or tally.retried or tally.skipped:
        log.info("worker: sent %d, retried %d, failed %d, skipped %d",
                 tally.sent, tally.retried, tally.failed, tally.skipped)
    return tally


def run_worker(app, stop, transport=None):
    """Loop until `stop` (a threading.Event) is set, sleeping WORKER_POLL_SECONDS between passes."""
    transport = transport or transport_from_url(app.config["SMTP_URL"])
    name = worker_name()
    log.info("worker %s sending through %s", name, transport.describe())
    while not stop.is_set():
        tally = one_pass(app, transport, name, stop, mail_seconds=app.config["WORKER_MAIL_SECONDS"] or None)
        if tally is None or not tally.more:  # idle (or the database is down): wait; else mail is still due
            stop.wait(app.config["WORKER_POLL_SECONDS"])


def start_worker_thread(app):
    """A daemon thread running the worker (for `backorder run`); returns its stop event."""
    stop = threading.Event()
    threading.Thread(target=run_worker, args=(app, stop), name="backorder-worker", daemon=True).start()
    return stop
