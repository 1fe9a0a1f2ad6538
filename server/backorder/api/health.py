"""GET /api/v1/health: what load balancers, process supervisors and uptime checks probe."""

from flask import current_app

from .. import schemas
from ..services import health
from .public import bp
from .spec import other_responses, response


@bp.get("/health")
@other_responses({503: "The database cannot be reached, or lacks a migration (see Retry-After)"})
@response(schemas.Health, 200, "This process can serve: the database answers at the newest schema")
def health_check():
    """Whether this process can answer: one query to the database, never cached."""
    answer = health.check(current_app.extensions["migrate"].directory)
    return answer
