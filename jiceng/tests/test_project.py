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
