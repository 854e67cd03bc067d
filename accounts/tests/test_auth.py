import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jiceng.testing import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_with_the_form_then_see_the_home_page(client, world):
    response = post_login(client, "staff_a", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, api, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(client, "staff_a", "wrong-password-1")
        assert response.status_code in (200, 429)
    locked = post_login(client, "staff_a", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The API's token login honours the same lockout.
    token = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": PASSWORD}, format="json")
    assert token.status_code == 429
    assert token.json()["error"] == "locked_out"
    # Another account from the same address is not locked.
    assert post_login(Client(), "staff_b", PASSWORD).status_code == 302


def test_password_rules():
    for weak in ["short-1", "1234567890123", "password123", "abcdefghijkl"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Grid-worker-2026")


def test_an_expired_session_sends_the_user_back_to_login(client, world):
    post_login(client, "staff_a", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_activity_moves_the_session_expiry_on_without_a_write_per_request(client, world, settings):
    post_login(client, "staff_a", PASSWORD)
    settings.SESSION_REFRESH_SECONDS = 300
    client.get("/")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=10))
    client.get("/")  # refreshed less than five minutes ago: not written again
    assert Session.objects.get().expire_date < timezone.now() + timedelta(minutes=11)
    settings.SESSION_REFRESH_SECONDS = 0
    client.get("/")  # due: the expiry moves a working day ahead
    assert Session.objects.get().expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_anonymous_visits_and_api_tokens_leave_no_session(client, world):
    client.get("/accounts/login/")
    client.get("/healthz")
    token = Token.objects.create(user=world.users["staff_a"]).key
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert not Session.objects.exists()


def test_session_settings():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


def test_login_form_requires_a_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    response = post_login(strict, "staff_a", PASSWORD)
    assert response.status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def clean_environment() -> dict:
    """This environment without what would decide the mode, the database or the cache."""
    return {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "JICENG_MODE", "DEBUG", "HTTPS",
                                                          "DATABASE_URL", "REDIS_URL"}}


def settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    clean = clean_environment()
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jiceng.settings'; django.setup(); " \
           f"from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, timeout=60)


def test_production_mode_refuses_the_default_secret(tmp_path):
    result = settings_in_subprocess({"JICENG_MODE": "production", "JICENG_VAR_DIR": str(tmp_path)}, "1")
    assert result.returncode != 0
    assert "Refusing to start in production mode with the default" in result.stderr


def test_production_mode_with_a_secret_uses_secure_cookies(tmp_path):
    result = settings_in_subprocess(
        {"JICENG_MODE": "production", "SECRET_KEY": "x" * 50, "JICENG_VAR_DIR": str(tmp_path)},
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.DEBUG",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


def test_embedded_mode_defaults(tmp_path):
    result = settings_in_subprocess({"JICENG_VAR_DIR": str(tmp_path)},
                                    "settings.DATABASES['default']['ENGINE'], settings.SESSION_COOKIE_SECURE")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]


def test_django_admin_is_for_superusers_only(client, world):
    admin_a = world.users["admin_a"]
    admin_a.is_staff = True
    admin_a.save()
    client.force_login(admin_a)
    assert client.get("/admin/places/orgunit/").status_code == 302  # to the admin login
    client.force_login(world.users["root"])
    page = client.get("/admin/places/orgunit/")
    assert page.status_code == 200 and "银闸社区" in page.content.decode()


def test_the_lockout_page_says_when_to_try_again(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "staff_a", "wrong-password-1")
    page = client.post("/accounts/login/", {"username": "staff_a", "password": PASSWORD},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Please try again in 30 minutes." in page


def test_production_settings_pass_the_deploy_check(tmp_path):
    """``manage.py check --deploy`` finds nothing to warn about in production mode behind TLS."""
    env = {**clean_environment(), "JICENG_MODE": "production", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "jiceng.example.gov.cn", "JICENG_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env,
                            capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_tls_plain_http_is_redirected_but_health_checks_are_not(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client = Client()  # a fresh handler: the security middleware reads the settings when it starts
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/livez").status_code == 200
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_no_password_or_token_reaches_the_logs_or_the_audit_trail(client, api, world, caplog):
    """Signing in (wrong, then right), taking an API token, changing the password and a lockout: no
    password, hash or token appears in any log record or audit entry."""
    import logging

    from auditlog.models import LogEntry

    from accounts.models import User

    new_password = "Xin-mima-2026-" + secrets.token_hex(4)
    caplog.set_level(logging.DEBUG)
    post_login(client, "staff_a", "wrong-password-1")
    post_login(client, "staff_a", PASSWORD)
    changed = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new_password,
                                                  "new_password2": new_password})
    assert changed.status_code == 302
    token = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": new_password}, format="json")
    key = token.json()["token"]
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        post_login(Client(), "staff_b", "guess-" + PASSWORD)
    secrets_seen = [PASSWORD, new_password, key, User.objects.get(username="staff_a").password]
    logged = [record.getMessage() + repr(record.args) + repr(getattr(record, "request", ""))
              for record in caplog.records]
    audited = [repr(entry.changes) + repr(entry.additional_data) for entry in LogEntry.objects.all()]
    assert caplog.records, "nothing was logged: the test would prove nothing"
    assert [text for text in logged + audited if any(secret in text for secret in secrets_seen)] == []
