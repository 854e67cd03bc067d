"""CSRF on every form: each POST form of the templates carries the token, HTMX requests send it in a
header, and no site view is exempt (DRF's views rely on its SessionAuthentication, which checks it)."""

import re
from pathlib import Path

from django.conf import settings
from rest_framework.views import APIView

from jiceng.testing import url_routes

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']post["']""", re.IGNORECASE)


def template_files():
    for directory in [Path(settings.BASE_DIR) / "templates",
                      *Path(settings.BASE_DIR).glob("*/templates")]:
        yield from directory.rglob("*.html")


def test_every_post_form_carries_the_csrf_token():
    forms = missing = 0
    problems = []
    for path in template_files():
        for form in FORM.findall(path.read_text()):
            opening = form[: form.index(">") + 1]
            if not POST.search(opening):
                continue
            forms += 1
            if "{% csrf_token %}" not in form:
                missing += 1
                problems.append(f"{path}: {opening[:120]}")
    assert forms > 40  # the scan finds the forms (a broken pattern would find none and pass)
    assert problems == [], "POST forms without {% csrf_token %}:\n" + "\n".join(problems)


def test_htmx_requests_send_the_token():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert """hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'""" in base


def test_no_site_view_skips_the_csrf_check():
    exempt = []
    for route in url_routes():
        view = route.view
        view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            continue  # DRF: SessionAuthentication enforces CSRF for cookie sessions, tokens need none
        if getattr(view, "csrf_exempt", False):
            exempt.append(route.pattern)
    # The API's catch-all 404 only answers "not found", whatever the method.
    assert exempt == ["api/v1/"], exempt
