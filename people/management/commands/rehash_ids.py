"""Recompute the keyed hashes of ID numbers, after ``ID_HASH_KEY`` changed."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from core.privacy import id_hash
from people.models import Resident

BATCH = 1000


class Command(BaseCommand):
    help = "Recompute Resident.id_hash with the current ID_HASH_KEY (run after changing the key)."

    def handle(self, *args, **options):
        changed = total = 0
        last = 0
        while True:
            batch = list(Resident.objects.filter(pk__gt=last).order_by("pk").only("pk", "id_number", "id_hash")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            stale = []
            for resident in batch:
                total += 1
                digest = id_hash(resident.id_number)
                if digest != resident.id_hash:
                    resident.id_hash = digest
                    stale.append(resident)
            with transaction.atomic():
                Resident.objects.bulk_update(stale, ["id_hash"])
            changed += len(stale)
        self.stdout.write(_("%(changed)s of %(total)s ID hashes recomputed.") % {"changed": changed, "total": total})
