"""Every change of points: ``award``, ``redeem``, ``adjust``, ``hand_over``. Each writes its ledger entry
and the account's balance in one transaction; nothing else writes either.

``source`` names what earned or spent the points ("volunteers.attendance:42"): the same source never
pays the same account twice (a unique index), so a retried confirmation cannot double the points.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Account, Entry, EntryKind, Item, Redemption, Rule


class PointsError(DomainError):
    """A refused points action."""


def account_of(user) -> Account:
    """The person's account (made on first use; its place is the person's home place)."""
    path = user.org_unit.path if user.org_unit_id else ""
    account, _created = Account.objects.get_or_create(user=user, defaults={"path": path})
    return account


def _entry(account: Account, kind: str, delta: int, *, reason: str, actor=None, rule=None, source: str = "") -> Entry:
    """Move the balance by ``delta`` and write the entry, in the caller's transaction. A debit only
    happens when the balance covers it (a conditional UPDATE: safe against concurrent requests)."""
    accounts = Account.objects.filter(pk=account.pk)
    if delta < 0:
        accounts = accounts.filter(balance__gte=-delta)
    earned = F("earned") + delta if kind == EntryKind.EARN else F("earned")
    try:
        with transaction.atomic():  # the balance and its entry, together or not at all
            if not accounts.update(balance=F("balance") + delta, earned=earned):
                raise PointsError(_("Not enough points."), field="points")
            balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
            return Entry.objects.create(account=account, path=account.path, kind=kind, delta=delta,
                                        balance_after=balance, rule=rule, reason=str(reason)[:200], source=source,
                                        actor=actor if getattr(actor, "pk", None) else None)
    except IntegrityError as error:
        raise PointsError(_("These points were already given."), field="source") from error


@transaction.atomic
def award(user, *, reason: str, points: int | None = None, rule: str | Rule | None = None,
          hours: Decimal | float | None = None, source: str = "", actor=None) -> Entry:
    """Give points: a fixed number, or by a rule (per deed, or per hour of service for ``hours``)."""
    if isinstance(rule, str):
        rule = Rule.objects.filter(code=rule, is_active=True).first()
        if rule is None:
            raise PointsError(_("No such points rule."), field="rule")
    if points is None:
        if rule is None:
            raise PointsError(_("Say how many points, or by which rule."), field="points")
        points = round(rule.points * Decimal(str(hours or 0))) if rule.per_hour else rule.points
    if points <= 0:
        raise PointsError(_("Points given must be more than zero."), field="points")
    return _entry(account_of(user), EntryKind.EARN, int(points), reason=reason, actor=actor, rule=rule,
                  source=source)


@transaction.atomic
def award_in_bulk(awards) -> int:
    """Many awards at once (the demo, imports): ``awards`` yields ``(user id, points, reason, rule, source,
    actor id or None)`` in the order they happened. Accounts, entries and balances are written as ``award``
    writes them, in a few queries: each balance stays the sum of its entries. Returns the number of entries."""
    from accounts.models import User

    awards = list(awards)
    if not awards:
        return 0
    user_ids = {user_id for user_id, *_rest in awards}
    accounts = {a.user_id: a for a in Account.objects.filter(user_id__in=user_ids)}
    paths = dict(User.objects.filter(pk__in=user_ids - set(accounts)).values_list("pk", "org_unit__path"))
    new = [Account(user_id=pk, path=path or "") for pk, path in paths.items()]
    Account.objects.bulk_create(new, batch_size=1000)
    accounts.update({a.user_id: a for a in new})
    entries = []
    for user_id, points, reason, rule, source, actor_id in awards:
        account = accounts[user_id]
        account.balance += points
        account.earned += points
        entries.append(Entry(account=account, path=account.path, kind=EntryKind.EARN, delta=points,
                             balance_after=account.balance, rule=rule, reason=str(reason)[:200], source=source,
                             actor_id=actor_id))
    Entry.objects.bulk_create(entries, batch_size=1000)
    Account.objects.bulk_update(list(accounts.values()), ["balance", "earned"], batch_size=1000)
    return len(entries)


@transaction.atomic
def adjust(user, *, points: int, reason: str, actor) -> Entry:
    """A correction by staff (either way), with its reason."""
    if not points:
        raise PointsError(_("Give a number of points other than zero."), field="points")
    if not (reason or "").strip():
        raise PointsError(_("Please give a reason."), field="reason")
    return _entry(account_of(user), EntryKind.ADJUST, int(points), reason=reason, actor=actor)


@transaction.atomic
def redeem(user, item: Item, *, quantity: int = 1, actor=None) -> Redemption:
    """Take an item from the shop: the stock and the points are both claimed with conditional UPDATEs,
    so neither can go below zero however many requests arrive at once."""
    if quantity < 1:
        raise PointsError(_("At least one."), field="quantity")
    if not item.is_active:
        raise PointsError(_("This item is no longer on offer."), field="item")
    if not Item.objects.filter(pk=item.pk, stock__gte=quantity).update(stock=F("stock") - quantity):
        raise PointsError(_("Out of stock."), field="quantity")
    cost = item.cost * quantity
    entry = _entry(account_of(user), EntryKind.REDEEM, -cost, actor=actor or user,
                   reason=_("%(item)s ×%(n)d") % {"item": item.name, "n": quantity})
    return Redemption.objects.create(entry=entry, item=item, quantity=quantity)


@transaction.atomic
def hand_over(redemption: Redemption, actor) -> Redemption:
    """The item was given to the person (the shop keeper confirms)."""
    if not Redemption.objects.filter(pk=redemption.pk, handed_over=False).update(handed_over=True):
        raise PointsError(_("This item was already handed over."), field="handed_over")
    redemption.handed_over = True
    return redemption


@transaction.atomic
def save_item(actor, *, item: Item | None = None, place, name: str, cost: int, stock: int,
              description: str = "") -> Item:
    """Add an item to a shop of the actor's scope, or change one (price, stock, text)."""
    from accounts.scope import covers

    if not covers(actor, place.path):
        raise PointsError(_("This place is outside your data scope."), field="place")
    if cost < 1:
        raise PointsError(_("An item costs at least one point."), field="cost")
    if stock < 0:
        raise PointsError(_("The stock cannot be negative."), field="stock")
    item = item or Item()
    item.place, item.name, item.cost, item.stock, item.description = place, name.strip(), cost, stock, description
    item.save()
    return item


def ledger_errors() -> list[tuple[int, int, int]]:
    """Accounts whose balance is not the sum of their entries: (account id, balance, sum). Empty when sound."""
    from django.db.models import Sum

    sums = dict(Entry.objects.values("account").annotate(total=Sum("delta")).values_list("account", "total"))
    return [(pk, balance, sums.get(pk, 0) or 0) for pk, balance in Account.objects.values_list("pk", "balance")
            if balance != (sums.get(pk, 0) or 0)]
