import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_health_check_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_liveness_answers_without_the_database(client):
    response = client.get("/livez")  # no django_db mark: a query would raise
    assert response.status_code == 200 and response.content == b"ok"


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_database_connections_are_tuned_for_short_queries():
    """SQLite waits for the write lock instead of failing; PostgreSQL compiles no plans (JIT) for pages."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
        else:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
