"""Every write to a petition, one named atomic function each, recording a PetitionEvent.

Which change may follow which status is in ``TRANSITIONS``; anything else raises ``PetitionError``
(shown as a form error on the pages, a 400 in the API). Callers check the data scope
(``get_visible_or_404(..., CHANGE)``) before calling.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import next_value
from core.privacy import id_hash, id_number_error, normalize_id_number

from .models import (
    Channel,
    KeyPlan,
    LinkKind,
    Petition,
    PetitionEvent,
    PetitionLink,
    ReceptionDay,
    Status,
    phone_hash,
    reply_days,
)

# action -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "forward": ((Status.REGISTERED, Status.FORWARDED), Status.FORWARDED),
    "reply": ((Status.REGISTERED, Status.FORWARDED), Status.REPLIED),
    "close": ((Status.REPLIED,), Status.CLOSED),
    "not_accept": ((Status.REGISTERED,), Status.NOT_ACCEPTED),
}


class PetitionError(DomainError):
    """A refused petition action."""


def allowed_actions(petition: Petition) -> set[str]:
    return {name for name, (sources, _target) in TRANSITIONS.items() if petition.status in sources}


def _event(petition, action, actor, note="", from_status="", to_status="", **data):
    return PetitionEvent.objects.create(petition=petition, action=action,
                                        actor=actor if getattr(actor, "pk", None) else None, note=note,
                                        from_status=from_status, to_status=to_status, data=data)


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition.pk)


def _check(petition: Petition, action: str):
    sources, target = TRANSITIONS[action]
    if petition.status not in sources:
        raise PetitionError(_("This cannot be done to a petition that is %(status)s.") % {
            "status": petition.get_status_display()}, field="status")
    return target


def _required(value, field, message):
    if not (value or "").strip():
        raise PetitionError(message, field=field)
    return value.strip()


def new_number(received_on: date) -> str:
    return f"XF{received_on.year}-{next_value(f'petition:{received_on.year}'):05d}"


def _regroup(group_ids) -> None:
    """Merge the given repeat groups into one: the earliest petition heads it, all later ones are repeats."""
    members = list(Petition.objects.filter(group_id__in=group_ids).order_by("received_on", "id")
                   .values_list("pk", flat=True))
    if not members:
        return
    head = members[0]
    Petition.objects.filter(pk__in=members).update(group_id=head, is_repeat=True)
    Petition.objects.filter(pk=head).update(is_repeat=False)


@transaction.atomic
def register_petition(*, place, actor, petitioner_name: str, title: str, matter: str, channel: str = Channel.VISIT,
                      received_on: date | None = None, petitioner_id_number: str = "", petitioner_phone: str = "",
                      resident=None, people_count: int = 1, destination: str = "local", category: str = "other",
                      reception_day: ReceptionDay | None = None, dispute=None, **fields) -> Petition:
    """Register a letter or visit (登记). Earlier petitions of the same person (same ID number, or the same
    phone when no ID number is given) are linked to it as one repeat group. ``dispute``: the failed
    mediation that guided the parties here (its record is handed over)."""
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise PetitionError(_("The date received cannot be in the future."), field="received_on")
    petitioner_name = _required(petitioner_name, "petitioner_name", _("Give the petitioner's name."))
    title = _required(title, "title", _("Say what the petition is about."))
    matter = _required(matter, "matter", _("Write down what is asked."))
    if people_count is None or people_count < 1:
        raise PetitionError(_("At least one person."), field="people_count")
    number = normalize_id_number(petitioner_id_number)
    if number and id_number_error(number):
        raise PetitionError(_("This is not a valid ID number."), field="petitioner_id_number")
    if resident is not None and not number and resident.id_number:
        number = resident.id_number
    if reception_day is not None and reception_day.date != received_on:
        raise PetitionError(_("The petition was not received on that reception day."), field="reception_day")
    petition = Petition(
        place=place, number=new_number(received_on), channel=channel, petitioner_name=petitioner_name,
        petitioner_id_number=number, petitioner_phone=(petitioner_phone or "").strip(), resident=resident,
        people_count=people_count, destination=destination, category=category, title=title, matter=matter.strip(),
        received_on=received_on, reply_due=received_on + timedelta(days=reply_days()), reception_day=reception_day,
        dispute=dispute, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    petition.save()
    petition.group = petition
    petition.save(update_fields=["group"])
    _event(petition, "register", actor, to_status=Status.REGISTERED, number=petition.number,
           dispute=getattr(dispute, "number", None))
    auto_link(petition, actor)
    petition.refresh_from_db()
    return petition


def same_person(petition: Petition):
    """Other petitions of the same person: same ID number hash, or same phone hash when there is no ID."""
    if petition.id_hash:
        q = Q(id_hash=petition.id_hash)
    elif petition.phone_hash:
        q = Q(phone_hash=petition.phone_hash, id_hash="")
    else:
        return Petition.objects.none()
    return Petition.objects.filter(q).exclude(pk=petition.pk)


def auto_link(petition: Petition, actor=None) -> int:
    """Link the petition to the earlier petitions of the same person (重复访). Returns how many."""
    earlier = list(same_person(petition).filter(
        Q(received_on__lt=petition.received_on) | Q(received_on=petition.received_on, pk__lt=petition.pk))
        .values_list("pk", "group_id"))
    if not earlier:
        return 0
    PetitionLink.objects.bulk_create(
        [PetitionLink(petition=petition, other_id=pk, kind=LinkKind.SAME_PERSON) for pk, _group in earlier],
        ignore_conflicts=True)
    _regroup({petition.group_id, *(group for _pk, group in earlier if group)})
    _event(petition, "auto_link", actor, count=len(earlier))
    return len(earlier)


@transaction.atomic
def link_petitions(a: Petition, b: Petition, actor, reason: str = "", kind: str = LinkKind.SAME_MATTER) -> PetitionLink:
    """Staff link two petitions on the same matter: their repeat groups become one."""
    if a.pk == b.pk:
        raise PetitionError(_("A petition cannot be linked to itself."), field="other")
    a, b = _lock(a), _lock(b)
    if a.group_id and a.group_id == b.group_id:
        raise PetitionError(_("These petitions are already linked."), field="other")
    first, second = sorted((a, b), key=lambda p: (p.received_on, p.pk))
    link, _created = PetitionLink.objects.get_or_create(
        petition=second, other=first, defaults={"kind": kind, "reason": (reason or "").strip()[:200],
                                                "actor": actor if getattr(actor, "pk", None) else None})
    _regroup({a.group_id or a.pk, b.group_id or b.pk})
    for petition, other in ((a, b), (b, a)):
        _event(petition, "link", actor, reason, other=other.number)
    return link


@transaction.atomic
def forward(petition: Petition, actor, *, department=None, body_name: str = "", note: str = "",
            on: date | None = None) -> Petition:
    """Forward to the handling body (转送/交办): a department of the system, or a body named in words."""
    petition = _lock(petition)
    target = _check(petition, "forward")
    body_name = (body_name or "").strip()
    if department is None and not body_name:
        raise PetitionError(_("Choose the department or name the body it goes to."), field="forwarded_to")
    old = petition.status
    petition.status = target
    petition.forwarded_to = department
    petition.forwarded_to_name = body_name or (department.name if department else "")
    petition.forwarded_on = on or timezone.localdate()
    petition.save(update_fields=["status", "forwarded_to", "forwarded_to_name", "forwarded_on", "updated"])
    _event(petition, "forward", actor, note, old, target, to=petition.forwarded_to_name)
    return petition


@transaction.atomic
def reply(petition: Petition, actor, *, text: str, on: date | None = None) -> Petition:
    """The reply to the petitioner (答复意见): on time when given by ``reply_due``."""
    petition = _lock(petition)
    target = _check(petition, "reply")
    text = _required(text, "reply", _("Write the reply."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise PetitionError(_("The reply date cannot be in the future."), field="replied_on")
    if on < petition.received_on:
        raise PetitionError(_("The reply cannot be before the petition was received."), field="replied_on")
    old = petition.status
    petition.status, petition.reply, petition.replied_on = target, text, on
    petition.save(update_fields=["status", "reply", "replied_on", "updated"])
    _event(petition, "reply", actor, text, old, target, on_time=on <= petition.reply_due)
    return petition


@transaction.atomic
def close(petition: Petition, actor, *, satisfaction: str = "", settled: bool = False, note: str = "",
          result: str = "") -> Petition:
    """Close after the reply (办结), with the petitioner's satisfaction and whether they accept it."""
    petition = _lock(petition)
    target = _check(petition, "close")
    old = petition.status
    petition.status, petition.satisfaction, petition.settled = target, satisfaction or "", bool(settled)
    petition.closed_on = timezone.localdate()
    petition.save(update_fields=["status", "satisfaction", "settled", "closed_on", "updated"])
    if result and petition.is_key:
        KeyPlan.objects.filter(petition=petition).update(result=result)
    _event(petition, "close", actor, note, old, target, satisfaction=satisfaction, settled=bool(settled))
    return petition


@transaction.atomic
def not_accept(petition: Petition, actor, *, reason: str) -> Petition:
    """Not accepted (不予受理), with the reason the petitioner is told."""
    petition = _lock(petition)
    target = _check(petition, "not_accept")
    reason = _required(reason, "reason", _("Please give a reason."))
    old = petition.status
    petition.status, petition.status_reason = target, reason
    petition.save(update_fields=["status", "status_reason", "updated"])
    _event(petition, "not_accept", actor, reason, old, target)
    return petition


@transaction.atomic
def mark_key(petition: Petition, actor, *, team: str, plan: str, leader=None, leader_name: str = "",
             target_date: date | None = None, progress: str = "") -> KeyPlan:
    """Make it a key petition (重点信访) with its five ones: leader, team, plan (and follow-through)."""
    petition = _lock(petition)
    if leader is None and not (leader_name or "").strip():
        raise PetitionError(_("Name the responsible leader."), field="leader")
    team = _required(team, "team", _("Name the team."))
    plan = _required(plan, "plan", _("Write the plan."))
    if target_date and target_date < petition.received_on:
        raise PetitionError(_("The target date cannot be before the petition was received."), field="target_date")
    key, created = KeyPlan.objects.update_or_create(petition=petition, defaults={
        "leader": leader, "leader_name": (leader_name or "").strip(), "team": team, "plan": plan,
        "target_date": target_date, "progress": (progress or "").strip()})
    if not petition.is_key:
        petition.is_key = True
        petition.save(update_fields=["is_key", "updated"])
    _event(petition, "mark_key" if created else "key_plan", actor, plan, leader=key.leader_label)
    return key


@transaction.atomic
def add_reception_day(*, place, actor, date: date, leader=None, leader_name: str = "", venue: str = "",
                      topic: str = "", note: str = "") -> ReceptionDay:
    """A leader reception day (领导接待日) in the register."""
    if leader is None and not (leader_name or "").strip():
        raise PetitionError(_("Name the receiving leader."), field="leader")
    if ReceptionDay.objects.filter(place=place, date=date).exists():
        raise PetitionError(_("This place already has a reception day on that date."), field="date")
    return ReceptionDay.objects.create(place=place, date=date, leader=leader, leader_name=(leader_name or "").strip(),
                                       venue=venue.strip(), topic=topic.strip(), note=note.strip(),
                                       created_by=actor if getattr(actor, "pk", None) else None)


def find_by_id_number(queryset, value: str):
    """Petitions of ``queryset`` whose petitioner has this full ID number (via the keyed hash)."""
    return queryset.filter(id_hash=id_hash(value))


__all__ = ["PetitionError", "TRANSITIONS", "add_reception_day", "allowed_actions", "auto_link", "close", "forward",
           "link_petitions", "mark_key", "not_accept", "phone_hash", "register_petition", "reply"]
