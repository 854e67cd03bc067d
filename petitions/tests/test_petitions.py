"""Petitions: numbering, the reply deadline, linking of repeats, transitions, the overdue sweep, figures."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from jiceng.testing import make_user
from notifications.models import Notification
from petitions import actions, deadlines
from petitions.actions import PetitionError
from petitions.figures import petition_figures
from petitions.models import KeyPlan, Petition, PetitionEvent, PetitionLink, Status

pytestmark = pytest.mark.django_db

ID_1 = "110101198001010010"
ID_2 = "110101197001010024"


def reg(world, place=None, actor=None, **options):
    options = {"petitioner_name": "王信访", "title": "违建占道", "matter": "胡同里有违建", **options}
    return actions.register_petition(place=place or world.grid_a, actor=actor or world.users["staff_a"], **options)


def test_numbers_are_issued_per_year_in_order(world):
    first = reg(world, received_on=date(2025, 12, 30))
    second = reg(world, received_on=date(2026, 1, 2))
    third = reg(world, received_on=date(2026, 1, 3))
    assert first.number == "XF2025-00001"
    assert (second.number, third.number) == ("XF2026-00001", "XF2026-00002")
    assert first.status == Status.REGISTERED and first.path == world.grid_a.path
    assert PetitionEvent.objects.filter(petition=first, action="register").exists()


def test_reply_due_is_60_days_by_default_and_configurable(world, settings):
    petition = reg(world, received_on=date(2026, 1, 10))
    assert petition.reply_due == date(2026, 3, 11)
    settings.PETITION_REPLY_DAYS = 15
    assert reg(world, received_on=date(2026, 1, 10)).reply_due == date(2026, 1, 25)


def test_petitions_of_the_same_person_are_linked_automatically(world):
    first = reg(world, petitioner_id_number=" " + ID_1, received_on=date(2026, 1, 5))
    other = reg(world, petitioner_id_number=ID_2, received_on=date(2026, 1, 6))
    again = reg(world, petitioner_id_number=ID_1, received_on=date(2026, 2, 5), place=world.grid_b,
                actor=world.users["staff_b"])
    assert again.group_id == first.pk and again.is_repeat and not first.is_repeat
    assert other.group_id == other.pk and not other.is_repeat
    assert PetitionLink.objects.filter(petition=again, other=first, kind="same_person").exists()
    # no ID number: the same phone links
    a = reg(world, petitioner_phone="139 0000 1111", received_on=date(2026, 1, 1))
    b = reg(world, petitioner_phone="13900001111", received_on=date(2026, 1, 9))
    assert b.group_id == a.pk and b.is_repeat
    # the ID number is stored encrypted with its hash; the display is masked
    assert first.id_hash and first.masked_id_number == "1101**********0010"


def test_staff_link_petitions_on_the_same_matter(world):
    a = reg(world, received_on=date(2026, 1, 5), petitioner_name="甲")
    b = reg(world, received_on=date(2026, 1, 8), petitioner_name="乙")
    c = reg(world, received_on=date(2026, 1, 2), petitioner_name="丙", petitioner_phone="13800000000")
    c2 = reg(world, received_on=date(2026, 1, 3), petitioner_name="丙", petitioner_phone="13800000000")
    actions.link_petitions(b, a, world.users["staff_a"], "同一违建")
    a.refresh_from_db(), b.refresh_from_db()
    assert a.group_id == b.group_id == a.pk and b.is_repeat and not a.is_repeat
    # merging two groups: the earliest heads them all
    actions.link_petitions(c2, b, world.users["staff_a"], "同一违建")
    groups = set(Petition.objects.filter(pk__in=[a.pk, b.pk, c.pk, c2.pk]).values_list("group_id", flat=True))
    assert groups == {c.pk}
    assert list(Petition.objects.filter(group_id=c.pk, is_repeat=False)) == [c]
    with pytest.raises(PetitionError) as error:
        actions.link_petitions(a, b, world.users["staff_a"], "again")
    assert error.value.field == "other"
    with pytest.raises(PetitionError):
        actions.link_petitions(a, a, world.users["staff_a"])


def test_the_transitions_follow_the_table(world):
    staff = world.users["staff_a"]
    p = reg(world)
    with pytest.raises(PetitionError):
        actions.close(p, staff)  # not replied yet
    with pytest.raises(PetitionError) as error:
        actions.forward(p, staff)
    assert error.value.field == "forwarded_to"
    p = actions.forward(p, staff, department=world.department_a)
    assert p.status == Status.FORWARDED and p.forwarded_to_name == world.department_a.name
    with pytest.raises(PetitionError):
        actions.not_accept(p, staff, reason="x")  # only before it is forwarded
    p = actions.reply(p, staff, text="已答复")
    assert p.status == Status.REPLIED and p.replied_on_time
    with pytest.raises(PetitionError):
        actions.reply(p, staff, text="again")
    p = actions.close(p, staff, satisfaction="satisfied", settled=True)
    assert p.status == Status.CLOSED and p.settled
    assert list(p.events.values_list("action", flat=True)) == ["register", "forward", "reply", "close"]
    q = actions.not_accept(reg(world), staff, reason="属于诉讼事项")
    assert q.status == Status.NOT_ACCEPTED and q.status_reason
    with pytest.raises(PetitionError) as error:
        actions.not_accept(reg(world), staff, reason=" ")
    assert error.value.field == "reason"


def test_a_key_petition_gets_leader_team_and_plan(world):
    p = reg(world, people_count=6)
    assert p.is_collective
    with pytest.raises(PetitionError) as error:
        actions.mark_key(p, world.users["staff_a"], team="组", plan="方案")
    assert error.value.field == "leader"
    plan = actions.mark_key(p, world.users["staff_a"], leader=world.users["leader"], team="街道主任\n民警",
                            plan="每月约谈", target_date=date.today() + timedelta(days=30))
    p.refresh_from_db()
    assert p.is_key and plan.leader == world.users["leader"]
    actions.mark_key(p, world.users["staff_a"], leader_name="街道书记 张三", team="组", plan="新方案")
    assert KeyPlan.objects.get(petition=p).plan == "新方案"


def test_a_failed_mediation_hands_its_record_over(world):
    from disputes.models import Dispute

    field = Petition._meta.get_field("dispute")
    assert field.related_model is Dispute and field.null
    p = reg(world, dispute=None)
    assert p.dispute is None


def test_the_overdue_sweep_tells_the_dispatchers_once(world):
    today = timezone.localdate()
    late = reg(world, received_on=today - timedelta(days=70))
    reg(world, received_on=today - timedelta(days=10))  # not due yet
    replied = actions.reply(reg(world, received_on=today - timedelta(days=70)), world.users["staff_a"], text="ok")
    other = make_user("dispatcher_elsewhere", Role.DISPATCHER, [world.community_b])
    assert deadlines.sweep(timezone.now()) == 1
    assert deadlines.sweep(timezone.now()) == 0
    notices = Notification.objects.filter(kind="overdue")
    assert list(notices.values_list("recipient__username", flat=True)) == ["dispatcher"]
    assert late.number in notices.get().title
    assert not Notification.objects.filter(recipient=other).exists()
    assert PetitionEvent.objects.filter(petition=late, action="overdue").count() == 1
    assert not PetitionEvent.objects.filter(petition=replied, action="overdue").exists()


def test_figures_count_on_time_replies_and_overdue(world):
    staff = world.users["staff_a"]
    today = timezone.localdate()
    start = today.replace(day=1)
    on_time = reg(world, received_on=start, channel="letter", destination="city")
    actions.reply(on_time, staff, text="ok", on=start)
    late = reg(world, received_on=today - timedelta(days=80), petitioner_phone="13700000000")
    actions.reply(late, staff, text="ok", on=today)
    reg(world, received_on=start, people_count=8, petitioner_phone="13700000000")
    overdue = reg(world, received_on=today - timedelta(days=65))
    figures = petition_figures(Petition.objects.all(), start, today)
    assert figures.received == 2 + (overdue.received_on >= start) + (late.received_on >= start)
    assert (figures.replied, figures.replied_on_time, figures.on_time_rate) == (2, 1, 0.5)
    assert figures.overdue_open == 1
    assert figures.collective == 1 and figures.collective_people == 8
    assert figures.repeat == 1
    assert figures.by_channel["letter"] == 1 and figures.by_destination["city"] == 1


def test_a_reception_day_keeps_its_petitions(world):
    day = actions.add_reception_day(place=world.community_a, actor=world.users["staff_a"], date=date(2026, 1, 15),
                                    leader=world.users["leader"], venue="接待室")
    p = reg(world, received_on=date(2026, 1, 15), reception_day=day)
    assert list(day.petitions.all()) == [p]
    with pytest.raises(PetitionError):
        reg(world, received_on=date(2026, 1, 16), reception_day=day)
    with pytest.raises(PetitionError):
        actions.add_reception_day(place=world.community_a, actor=None, date=date(2026, 1, 15), leader_name="x")
