"""Print the named demo accounts: role, username, password, scope (used by ``make run``)."""

import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User
from core import demo


def display_width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    line = lambda cells: "| " + " | ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return [rule, line(header), rule, *(line(row) for row in rows), rule]


def describe_scope(user: User) -> str:
    units = sorted(user.scope_units.all(), key=lambda unit: unit.path)
    where = _("everything") if user.is_superuser else ("、".join(unit.name for unit in units) or "-")
    if user.department_id:
        where = f"{user.department.name} ({where})"
    return where


class Command(BaseCommand):
    help = "Print the named demo accounts with their role, password and data scope."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self.print_accounts()

    def print_accounts(self):
        usernames = [username for username, _role, _where in demo.NAMED_ACCOUNTS]
        users = {user.username: user for user in User.objects.filter(username__in=usernames)
                 .select_related("department").prefetch_related("scope_units")}
        if not users:
            self.stdout.write(_("No demo accounts: load the demo data with manage.py load_demo."))
            return
        # Hashing is deliberately slow: check the password once, then compare the stored hashes.
        known_hashes = set()
        rows = []
        for username in usernames:
            user = users.get(username)
            if user is None:
                continue
            if user.password not in known_hashes and user.has_usable_password() and check_password(
                demo.DEMO_PASSWORD, user.password
            ):
                known_hashes.add(user.password)
            password = demo.DEMO_PASSWORD if user.password in known_hashes else _("(changed)")
            rows.append([user.get_role_display(), username, password, describe_scope(user)])
        self.stdout.write(_("Demo accounts (sign in at /accounts/login/):"))
        header = [capfirst(User._meta.get_field(name).verbose_name) for name in ("role", "username", "password",
                                                                              "scope_units")]
        for line in table(header, rows):
            self.stdout.write(line)
