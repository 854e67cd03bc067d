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


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client, world):
    """Scripts run only from this site or, inline, with the nonce of this response; no plugins, no
    framing."""
    def directives(response):
        return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))

    login = directives(client.get("/accounts/login/"))
    assert login["default-src"] == "'self'" and login["script-src"] == "'self'"
    assert login["object-src"] == "'none'" and login["frame-ancestors"] == "'none'"
    client.force_login(world.users["leader"])
    nonces = []
    for _ in range(2):
        page = client.get("/care/figures/")  # draws its chart with an inline script
        script_src = directives(page)["script-src"]
        assert script_src.startswith("'self' 'nonce-")
        nonces.append(script_src.split("'nonce-")[1].rstrip("'"))
        assert f'<script nonce="{nonces[-1]}">' in page.content.decode()
    assert nonces[0] != nonces[1]


def test_no_template_has_a_script_the_policy_would_block():
    """Every inline <script> carries the request's nonce (data blocks of type application/json are not
    run), and no element has an inline event handler (onclick=...): the policy runs neither."""
    import re
    from pathlib import Path

    from django.conf import settings

    blocked = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag and "csp_nonce" not in tag:
                blocked.append(f"{template.name}: {tag}")
        blocked += [f"{template.name}: {m}" for m in re.findall(r"<[a-z][^>]*\son[a-z]+=\"[^\"]*\"", text)]
    assert blocked == []
