from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .geo import bump_geometry_version
from .models import OrgUnit


@receiver(post_save, sender=OrgUnit)
@receiver(post_delete, sender=OrgUnit)
def geometry_changed(sender, instance, **kwargs):
    if instance.geometry is not None or kwargs.get("signal") is post_delete:
        transaction.on_commit(bump_geometry_version)
