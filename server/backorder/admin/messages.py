"""Messages: the delivery log of every email, why anything was not sent, and retrying a failed one."""

from flask import flash, g, redirect, render_template, request, url_for

from .. import schemas
from ..models import MESSAGE_KINDS, MESSAGE_STATUSES
from ..services import outbox
from ..services.delivery_log import delivery_log
from . import bp
from .lists import PAGE, choices, next_after, read_filters

FILTERS = ("status", "kind")


@bp.get("/messages")
def messages():
    """The store's emails, newest first, filtered by status and kind."""
    filters = read_filters(schemas.MessageQuery, FILTERS + ("after",))
    entries = delivery_log(g.store, limit=PAGE, **filters.data)
    page = render_template("admin/messages.html", entries=entries, filter=filters,
                           statuses=choices(MESSAGE_STATUSES, "Any status"), kinds=choices(MESSAGE_KINDS, "Any kind"),
                           next_after=next_after(entries, lambda entry: entry.message.id))
    return page, 422 if filters.errors else 200


@bp.post("/messages/<int:message_id>/retry")
def messages_retry(message_id):
    """Queue a failed email again now; back to the list with the same filters."""
    message = outbox.retry_message(g.store, message_id)
    flash(f"The email to {message.recipient} is queued again." if message.status == "queued"
          else f"The email to {message.recipient} was not retried: it is {message.status}.")
    return redirect(url_for("admin.messages", **{name: request.args[name] for name in FILTERS if name in request.args}))
