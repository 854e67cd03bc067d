"""Points (积分) and the points shop (积分超市).

Every change of a person's points is an ``Entry`` of the ledger; ``Account.balance`` is the running
sum of the account's entries, written in the same transaction as each entry (``actions.py``) and
checked by ``manage.py points_audit``. A redemption takes the item's stock and the points with
conditional UPDATEs (``stock >= n``, ``balance >= cost``), so concurrent requests can never overdraw
an account or sell more than the stock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from places.models import AtPlace


class Rule(models.Model):
    """A configurable way to earn points: so many per hour of service, or per deed."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    points = models.PositiveIntegerField(_("points"))
    per_hour = models.BooleanField(_("per hour of service"), default=False,
                                   help_text=_("Multiply the points by the confirmed hours."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Account(models.Model):
    """A person's points: the balance is the sum of the entries (kept together, never apart)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_account")
    path = models.CharField(max_length=255, db_index=True, editable=False,
                            help_text="The path of the person's home place (for the data scope).")
    balance = models.IntegerField(_("balance"), default=0)
    earned = models.PositiveIntegerField(_("earned in all"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_balance_not_negative")]

    def __str__(self):
        return f"{self.user} {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    ADJUST = "adjust", _("Adjusted")
    REFUND = "refund", _("Refunded")


class Entry(models.Model):
    """One line of the ledger: who, how many points (+/-), why, from what, by whom, when."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    delta = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance after"))
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=64, blank=True,
                              help_text="What earned or spent the points, as app.model:id.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "account"], condition=~models.Q(source=""),
                                               name="points_once_per_source")]

    def __str__(self):
        return f"{self.account_id} {self.delta:+d}"

    @classmethod
    def scope_narrowing(cls, user):
        """Volunteers and residents see their own entries only."""
        from django.db.models import Q

        from accounts.models import Role

        if user.role in (Role.VOLUNTEER, Role.RESIDENT_USER):
            return Q(account__user=user)
        return None


class Item(AtPlace):
    """An item of the points shop of a community or street, with its stock."""

    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("on offer"), default=True)

    # A street's shop serves every community under it: those below see it.
    scope_ancestors = True

    class Meta:
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        ordering = ["cost", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(cost__gt=0), name="points_item_cost_positive")]

    def __str__(self):
        return self.name


class Redemption(models.Model):
    """An item taken from the shop: its ledger entry, and whether it was handed over."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="redemption")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    handed_over = models.BooleanField(_("handed over"), default=False)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self):
        return f"{self.item} ×{self.quantity}"
