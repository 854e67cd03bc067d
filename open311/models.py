"""Open311 API keys: each application allowed to submit service requests has one.

Only a SHA-256 hash of the key is stored (the key is 256 random bits, so a plain hash is enough),
with its first characters kept in clear to find the row. The key itself is shown once, when made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    name = models.CharField(_("application"), max_length=100, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def new_key(self) -> str:
        """Give this row a fresh key (the old one stops working); returns it: it is never shown again."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[:PREFIX_LENGTH]
        self.key_hash = hash_key(key)
        return key

    @classmethod
    def issue(cls, name: str) -> tuple[ApiKey, str]:
        api_key = cls(name=name)
        key = api_key.new_key()
        api_key.save()
        return api_key, key

    @classmethod
    def authenticate(cls, key: str | None) -> ApiKey | None:
        """The active key row matching ``key``, its use recorded; None for a wrong or revoked key."""
        if not key or len(key) < 20:
            return None
        digest = hash_key(key)
        for candidate in cls.objects.filter(prefix=key[:PREFIX_LENGTH], is_active=True):
            if hmac.compare_digest(candidate.key_hash, digest):
                cls.objects.filter(pk=candidate.pk).update(last_used=timezone.now())
                return candidate
        return None
