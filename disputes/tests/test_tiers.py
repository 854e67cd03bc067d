"""Tiered handling: the grade decides the starting tier, a failed tier or a passed deadline goes up."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from disputes import actions
from disputes.actions import DisputeError
from disputes.models import Dispute, DisputeEvent, GradeRule, Status, TierRule
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_small_disputes_stay_in_the_grid_ordinary_in_the_village_hard_ones_go_up(new_dispute, dw):
    minor, general, difficult = new_dispute("minor"), new_dispute("general"), new_dispute("difficult")
    assert (minor.tier, minor.committee) == ("grid", None)
    assert (general.tier, general.committee) == ("community", dw.committee_a)
    assert (difficult.tier, difficult.committee) == ("street", dw.committee_street)
    today = timezone.localdate()
    assert minor.tier_due == today + timedelta(days=7)
    assert general.tier_due == today + timedelta(days=15)
    # A serious dispute is announced to the justice office at once.
    assert Notification.objects.filter(recipient=dw.users["justice"], title__contains="楼上漏水").count() == 1


def test_the_rule_is_configurable(new_dispute, dw):
    GradeRule.objects.filter(grade="general").update(start_tier="street")
    TierRule.objects.filter(tier="street").update(days=10)
    dispute = new_dispute("general")
    assert dispute.tier == "street"
    assert dispute.tier_due == timezone.localdate() + timedelta(days=10)


def test_a_dispute_registered_at_a_community_never_starts_in_a_grid(new_dispute, dw):
    assert new_dispute("minor", place=dw.community_a).tier == "community"


def test_numbers_are_issued_in_sequence(new_dispute):
    first, second = new_dispute(), new_dispute()
    year = timezone.localdate().year
    assert first.number == f"TJ{year}-000001"
    assert second.number == f"TJ{year}-000002"


def test_a_failed_session_sends_the_dispute_up_with_a_record(new_dispute, dw):
    dispute = new_dispute("general")
    actions.record_session(dispute, dw.users["staff_a"], held_at=timezone.now(), minutes="双方各执一词",
                           attendees="张三、李四", result="failed")
    dispute.refresh_from_db()
    assert (dispute.tier, dispute.status, dispute.committee) == ("street", Status.ACCEPTED, dw.committee_street)
    assert dispute.escalations == 1
    event = dispute.events.get(action="escalate")
    assert (event.from_tier, event.to_tier, event.actor) == ("community", "street", dw.users["staff_a"])
    assert "村" in event.note or "community" in event.note.lower()
    # The street committee's mediator hears of it.
    assert Notification.objects.filter(recipient=dw.users["mediator"], kind="escalated").exists()


def test_a_passed_deadline_escalates_once_even_when_swept_twice(new_dispute, dw):
    dispute = new_dispute("minor")
    later = dispute.tier_due + timedelta(days=1)
    assert actions.sweep_tier_deadlines(later) == 1
    assert actions.sweep_tier_deadlines(later) == 0
    dispute.refresh_from_db()
    assert dispute.tier == "community"
    event = dispute.events.get(action="escalate")
    assert event.actor is None and event.data["automatic"] is True
    assert dispute.tier_due == timezone.localdate() + timedelta(days=15)


def test_at_the_top_tier_a_passed_deadline_tells_the_justice_office(new_dispute, dw):
    dispute = new_dispute("difficult")
    actions.escalate(dispute, dw.users["mediator"], note="涉及多个部门")
    dispute.refresh_from_db()
    assert dispute.tier == "county"
    with pytest.raises(DisputeError) as error:
        actions.escalate(dispute, dw.users["mediator"], note="再上交")
    assert error.value.field == "tier"
    Notification.objects.all().delete()
    assert actions.sweep_tier_deadlines(dispute.tier_due + timedelta(days=1)) == 1
    assert DisputeEvent.objects.filter(dispute=dispute, action="overdue").count() == 1
    assert Notification.objects.filter(recipient=dw.users["justice"], kind="overdue").count() == 1


def test_escalating_needs_a_reason_and_an_open_dispute(new_dispute, dw):
    dispute = new_dispute()
    with pytest.raises(DisputeError) as error:
        actions.escalate(dispute, dw.users["staff_a"], note=" ")
    assert error.value.field == "note"
    actions.withdraw(dispute, dw.users["staff_a"], note="双方和解")
    with pytest.raises(DisputeError) as error:
        actions.escalate(dispute, dw.users["staff_a"], note="x")
    assert error.value.field == "status"


def test_agreement_follow_up_and_close(new_dispute, dw):
    dispute = new_dispute("general")
    today = timezone.localdate()
    agreement = actions.record_agreement(dispute, dw.users["staff_a"], matters="漏水损坏楼下吊顶",
                                         terms="张三赔偿李四维修费1500元", signed_on=today,
                                         perform_by=today + timedelta(days=10))
    assert agreement.number == f"（{today.year}）多福巷调字第1号"
    dispute.refresh_from_db()
    assert dispute.status == Status.AGREED and dispute.tier_due is None
    with pytest.raises(DisputeError) as error:
        actions.record_follow_up(dispute, dw.users["staff_a"], visited_on=today, performed="partly")
    assert error.value.field == "note"
    actions.record_follow_up(dispute, dw.users["staff_a"], visited_on=today, performed="partly", note="已付一半")
    dispute.refresh_from_db()
    assert dispute.status == Status.AGREED
    actions.record_follow_up(dispute, dw.users["staff_a"], visited_on=today, performed="yes")
    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED
    assert list(dispute.events.values_list("action", flat=True)) == [
        "register", "agree", "follow_up", "follow_up", "close"]


def test_agreements_are_numbered_per_committee_and_year(new_dispute, dw):
    today = timezone.localdate()
    numbers = []
    for place in (dw.grid_a, dw.grid_a, dw.grid_b):
        dispute = new_dispute("general", place=place, actor=dw.users["root"])
        numbers.append(actions.record_agreement(dispute, dw.users["root"], matters="m", terms="t",
                                                signed_on=today).number)
    assert numbers == [f"（{today.year}）多福巷调字第1号", f"（{today.year}）多福巷调字第2号",
                       f"（{today.year}）银闸调字第1号"]


def test_a_grid_agreement_is_issued_by_the_community_committee(new_dispute, dw):
    dispute = new_dispute("minor")
    agreement = actions.record_agreement(dispute, dw.users["staff_a"], matters="m", terms="t",
                                         signed_on=timezone.localdate())
    assert agreement.committee == dw.committee_a


def test_ending_without_agreement_records_the_route(new_dispute, dw):
    dispute = new_dispute("difficult")
    with pytest.raises(DisputeError) as error:
        actions.end_unsettled(dispute, dw.users["mediator"], route="nowhere", note="x")
    assert error.value.field == "route"
    actions.end_unsettled(dispute, dw.users["mediator"], route="litigation", note="引导当事人起诉")
    dispute.refresh_from_db()
    assert (dispute.status, dispute.route) == (Status.FAILED, "litigation")


def test_party_id_numbers_are_encrypted_and_validated(new_dispute, dw):
    dispute = new_dispute()
    party = dispute.parties.get(name="张三")
    assert party.masked_id_number.startswith("1101") and "*" in party.masked_id_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM disputes_party WHERE id = %s", [party.pk])
        raw = cursor.fetchone()
    assert "11010519491231002X" not in str(raw) and "13800001111" not in str(raw)
    with pytest.raises(DisputeError) as error:
        new_dispute(parties=[{"name": "王五", "id_number": "110105194912310021"}])
    assert error.value.field == "parties"


def test_registering_outside_the_scope_is_refused(new_dispute, dw):
    with pytest.raises(DisputeError) as error:
        new_dispute(place=dw.grid_b)
    assert error.value.field == "place"
    assert not Dispute.objects.filter(path__startswith=dw.grid_b.path).exists()


def test_a_future_date_and_missing_text_are_refused(new_dispute):
    with pytest.raises(DisputeError) as error:
        new_dispute(received_on=date.today() + timedelta(days=3))
    assert error.value.field == "received_on"
    with pytest.raises(DisputeError) as error:
        new_dispute(description="  ")
    assert error.value.field == "description"


def test_guided_to_petition_the_record_is_handed_over(new_dispute, dw):
    from petitions.models import Petition

    dispute = new_dispute("difficult")
    actions.end_unsettled(dispute, dw.users["mediator"], route="petition", note="当事人坚持上访")
    petition = Petition.objects.get(dispute=dispute)
    assert petition.petitioner_name == "张三"
    assert petition.masked_id_number == dispute.parties.get(name="张三").masked_id_number
    assert dispute.number in petition.matter and "当事人坚持上访" in petition.matter
    assert dispute.events.get(action="end_unsettled").data["petition"] == petition.number
