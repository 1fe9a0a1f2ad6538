"""GET /api/v1/health: 200 only when the database answers at the newest migration, else a JSON 503."""

import pytest
from flask_migrate import upgrade

from backorder.db import db
from backorder.services import health
from conftest import make_app


def test_healthy_database_at_the_newest_migration_is_200(app, client):
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    newest = health.newest_revision(app.extensions["migrate"].directory)
    assert answer.get_json() == {"status": "ok", "database": "ok", "schema": newest}
    assert "Cache-Control" not in answer.headers and "ETag" not in answer.headers  # never cached


def answer_on(database_url, revision=None):
    other = make_app(database_url)
    with other.app_context():
        if revision:
            upgrade(revision=revision)
        answer = other.test_client().get("/api/v1/health")
        db.engine.dispose()
    return answer


def test_database_one_migration_behind_is_503_naming_both_revisions(app, tmp_path):
    newest = health.newest_revision(app.extensions["migrate"].directory)
    answer = answer_on(f"sqlite:///{tmp_path / 'old.sqlite'}", revision="0004")
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5")
    error = answer.get_json()["error"]
    assert error["code"] == "unavailable" and "backorder db upgrade" in error["message"]
    assert error["details"] == {"database_revision": "0004", "code_revision": newest}


def test_database_never_migrated_is_503(tmp_path):
    answer = answer_on(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["details"]["database_revision"] is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_database_that_cannot_be_opened_is_503_not_500(tmp_path):
    answer = answer_on(f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite'}")
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (503, "unavailable")
