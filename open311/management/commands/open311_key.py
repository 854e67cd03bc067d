"""Manage Open311 API keys: ``open311_key --create NAME`` (prints the key on its last line), ``--list``,
``--revoke NAME``."""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from open311.models import ApiKey


class Command(BaseCommand):
    help = "Create, list or revoke the API keys of Open311 applications."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--create", metavar="NAME", help="make a key for this application and print it")
        group.add_argument("--list", dest="list_keys", action="store_true",
                           help="list the keys (never the keys themselves)")
        group.add_argument("--revoke", metavar="NAME", help="stop this application's key working")

    def handle(self, *args, create=None, list_keys=False, revoke=None, **options):
        if create:
            try:
                with transaction.atomic():
                    _api_key, key = ApiKey.issue(create.strip())
            except IntegrityError:
                raise CommandError(f"An application named {create!r} already has a key.") from None
            self.stdout.write(f"Key for {create} (shown only now; only its hash is stored):")
            self.stdout.write(key)
        elif revoke:
            api_key = ApiKey.objects.filter(name=revoke).first()
            if api_key is None:
                raise CommandError(f"No application named {revoke!r}.")
            api_key.is_active = False
            api_key.save(update_fields=["is_active"])  # through save(), so the audit trail records it
            self.stdout.write(f"Revoked the key of {revoke}.")
        else:
            for api_key in ApiKey.objects.all():
                state = "active" if api_key.is_active else "revoked"
                used = f"{api_key.last_used:%Y-%m-%d %H:%M}" if api_key.last_used else "never used"
                self.stdout.write(f"{api_key.name}\t{api_key.prefix}…\t{state}\tcreated {api_key.created:%Y-%m-%d}"
                                  f"\t{used}")
