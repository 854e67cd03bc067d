"""Sign-up limits, the waiting list, check-in and check-out with the QR token, hours and points."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from points.models import Entry
from volunteers import actions
from volunteers.actions import VolunteerError
from volunteers.models import SignUp, SignUpStatus, Volunteer

pytestmark = pytest.mark.django_db


def test_capacity_overflow_goes_to_the_waiting_list_and_cancel_promotes_the_first(vw, new_activity):
    activity = new_activity(capacity=2)
    v = vw.volunteers
    statuses = [actions.sign_up(activity, volunteer).status for volunteer in v[:4]]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    assert list(SignUp.objects.filter(status="waiting").order_by("position").values_list("volunteer", flat=True)) \
        == [v[2].pk, v[3].pk]
    first = SignUp.objects.get(activity=activity, volunteer=v[0])
    promoted = actions.cancel_sign_up(first, v[0].user)
    assert promoted.volunteer == v[2] and promoted.status == SignUpStatus.CONFIRMED
    assert SignUp.objects.filter(activity=activity, status__in=["confirmed"]).count() == 2
    notice = Notification.objects.get(recipient=v[2].user)
    assert activity.title in notice.title and notice.url == reverse("volunteers:activity", args=[activity.pk])
    # Cancelling a waiting place promotes nobody.
    assert actions.cancel_sign_up(SignUp.objects.get(volunteer=v[3]), v[3].user) is None
    # The cancelled volunteer may sign up again: the activity is full, so the waiting list.
    assert actions.sign_up(activity, v[0]).status == SignUpStatus.WAITING


def test_no_double_sign_up(vw, new_activity):
    activity = new_activity()
    actions.sign_up(activity, vw.volunteers[0])
    with pytest.raises(VolunteerError, match="already signed up"):
        actions.sign_up(activity, vw.volunteers[0])
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_only_the_volunteer_or_organiser_cancels(vw, new_activity):
    activity = new_activity()
    signup = actions.sign_up(activity, vw.volunteers[0])
    with pytest.raises(VolunteerError):
        actions.cancel_sign_up(signup, vw.volunteers[1].user)
    actions.cancel_sign_up(signup, vw.users["social"])


def test_check_in_and_out_with_the_token_within_the_day(vw, new_activity):
    activity = new_activity(capacity=3, start_in=timedelta(minutes=20), hours=2)
    volunteer = vw.volunteers[0]
    actions.sign_up(activity, volunteer)
    with pytest.raises(VolunteerError, match="not valid"):
        actions.check_in("wrong-token", volunteer)
    with pytest.raises(VolunteerError, match="Check in first"):
        actions.check_out(activity.checkin_token, volunteer)
    signup = actions.check_in(activity.checkin_token, volunteer)  # 20 min before the start: within the grace
    assert signup.status == SignUpStatus.ATTENDED and signup.checked_in_at
    with pytest.raises(VolunteerError, match="already checked in"):
        actions.check_in(activity.checkin_token, volunteer)
    later = activity.ends_at + timedelta(minutes=5)
    signup = actions.check_out(activity.checkin_token, volunteer, now=later)
    assert signup.checked_out_at == later
    # Someone without a place cannot check in.
    with pytest.raises(VolunteerError, match="no confirmed place"):
        actions.check_in(activity.checkin_token, vw.volunteers[1])


def test_check_in_outside_the_window_is_refused(vw, new_activity):
    activity = new_activity(start_in=timedelta(hours=3))
    actions.sign_up(activity, vw.volunteers[0])
    with pytest.raises(VolunteerError, match="30 minutes before"):
        actions.check_in(activity.checkin_token, vw.volunteers[0])  # too early
    day_after = activity.ends_at + timedelta(days=1)
    with pytest.raises(VolunteerError, match="30 minutes before"):
        actions.check_in(activity.checkin_token, vw.volunteers[0], now=day_after)


def _attended(vw, activity, volunteer, minutes_in, minutes_out):
    SignUp.objects.filter(activity=activity, volunteer=volunteer).update(
        status="attended", checked_in_at=activity.starts_at + timedelta(minutes=minutes_in),
        checked_out_at=activity.starts_at + timedelta(minutes=minutes_out))
    return SignUp.objects.get(activity=activity, volunteer=volunteer)


def test_hours_computed_rounded_and_capped_and_points_awarded_once(vw, new_activity):
    activity = new_activity(capacity=5, start_in=timedelta(days=-1), hours=2)
    for volunteer in vw.volunteers[:3]:
        SignUp.objects.create(activity=activity, volunteer=volunteer, status="confirmed")
    a = _attended(vw, activity, vw.volunteers[0], -10, 80)      # 90 min -> 1.5 h
    b = _attended(vw, activity, vw.volunteers[1], -30, 200)     # 3 h 50 -> capped at 2 h
    c = SignUp.objects.get(volunteer=vw.volunteers[2])          # no check-in: hours given, capped
    assert actions.computed_hours(a, activity) == Decimal("1.5")
    assert actions.computed_hours(b, activity) == Decimal("2")
    done = actions.confirm_hours(activity, vw.users["social"], {a.pk: None, b.pk: None, c.pk: "5"})
    assert len(done) == 3
    hours = dict(SignUp.objects.values_list("pk", "hours"))
    assert hours[a.pk] == Decimal("1.5") and hours[b.pk] == Decimal("2") and hours[c.pk] == Decimal("2")
    assert Volunteer.objects.get(pk=vw.volunteers[0].pk).hours_total == Decimal("1.5")
    entries = Entry.objects.filter(source=f"volunteers.signup:{a.pk}")
    assert entries.count() == 1 and entries.get().delta == 15  # 10 points per hour
    # Confirming again changes nothing: hours, totals and points stand.
    assert actions.confirm_hours(activity, vw.users["social"], {a.pk: "2", b.pk: None}) == []
    assert Entry.objects.filter(source__startswith="volunteers.signup:").count() == 3
    assert Volunteer.objects.get(pk=vw.volunteers[0].pk).hours_total == Decimal("1.5")


def test_hours_needed_without_check_out(vw, new_activity):
    activity = new_activity(start_in=timedelta(hours=-3), hours=2)
    signup = SignUp.objects.create(activity=activity, volunteer=vw.volunteers[0], status="confirmed")
    with pytest.raises(VolunteerError, match="give the hours") as error:
        actions.confirm_hours(activity, vw.users["social"], {signup.pk: None})
    assert error.value.field == f"hours_{signup.pk}"


def test_only_the_organiser_confirms(vw, new_activity):
    activity = new_activity(start_in=timedelta(hours=-3))
    signup = SignUp.objects.create(activity=activity, volunteer=vw.volunteers[0], status="confirmed")
    for user in (vw.volunteers[1].user, vw.users["staff_b"], vw.users["resident_a"]):
        with pytest.raises(VolunteerError, match="Only the organiser"):
            actions.confirm_hours(activity, user, {signup.pk: "1"})
    actions.confirm_hours(activity, vw.users["staff_a"], {signup.pk: "1"})  # staff of the place may


def test_no_show(vw, new_activity):
    activity = new_activity(start_in=timedelta(hours=-1))
    signup = SignUp.objects.create(activity=activity, volunteer=vw.volunteers[0], status="confirmed")
    assert actions.mark_no_show(signup, vw.users["social"]).status == SignUpStatus.NO_SHOW


def test_capacity_counted_under_lock(vw, new_activity):
    """The place count is taken with the activity row locked (select_for_update)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    activity = new_activity(capacity=1)
    with CaptureQueriesContext(connection) as queries:
        actions.sign_up(activity, vw.volunteers[0])
    assert any("volunteers_activity" in q["sql"] for q in queries.captured_queries)
    assert actions.sign_up(activity, vw.volunteers[1]).position == 1


def test_register_and_rate(vw):
    from volunteers.tests.probes import project_of

    with pytest.raises(VolunteerError, match="Already registered"):
        actions.register_volunteer(vw.volunteers[0].user)
    project = project_of(vw)
    resident_b = __import__("jiceng.testing", fromlist=["make_user"]).make_user(
        "res_b", "resident_user", [vw.community_b])
    actions.rate_project(project, resident_b, score=5, comment="好")
    with pytest.raises(VolunteerError, match="already rated"):
        actions.rate_project(project, resident_b, score=4)
    with pytest.raises(VolunteerError, match="Only residents"):
        actions.rate_project(project, vw.users["resident_a"], score=4)
    assert timezone.now()
