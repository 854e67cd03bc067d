"""Merging a duplicate into its master case: the rules, the refusals, the outcome told to its reporter,
what the pages, the tracking page, the API and the figures make of a merged case."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cases import actions
from cases.actions import CaseError, IllegalTransition, NotAllowed
from cases.figures import case_figures
from cases.models import Case, Source, Status
from notifications.models import Notification

pytestmark = pytest.mark.django_db

LON, LAT = 116.405, 39.905


@pytest.fixture
def two(cw, report):
    """An earlier report (the master) and a later one of the same matter by a resident."""
    master = report(description="多福巷12号门口生活垃圾堆放多日，有异味")
    duplicate = report(actor=cw.users["resident_a"], source=Source.RESIDENT,
                       description="多福巷12号门口垃圾好几天没人清运，有异味")
    return master, duplicate


def close(cw, case, result="已清运，现场恢复干净"):
    u = cw.users
    case = actions.register_case(case, u["dispatcher"]) if case.status == Status.REPORTED else case
    case = actions.dispatch_case(case, u["dispatcher"])
    case = actions.accept_case(case, u["handler"])
    case = actions.resolve_case(case, u["handler"], result)
    case = actions.verify_case(case, u["inspector"], "现场已干净")
    return actions.close_case(case, u["dispatcher"])


def test_a_dispatcher_merges_a_duplicate_into_its_master(cw, two):
    master, duplicate = two
    merged = actions.merge_case(duplicate, cw.users["dispatcher"], master.number, "同一地点同一问题")
    assert merged.status == Status.MERGED and merged.merged_into == master
    assert merged.deadline is None and merged.closed_at is not None and not merged.is_open
    last = merged.events.order_by("-id").first()
    assert (last.action, last.from_status, last.to_status, last.data) == (
        "merge", "reported", "merged", {"master": master.number})
    merged_in = master.events.get(action="merged_in")
    assert merged_in.data == {"merged": [duplicate.number]} and merged_in.note == "同一地点同一问题"
    master.refresh_from_db()
    assert master.status == Status.REPORTED and master.version == 1  # the master goes on as it was


def test_a_dispatched_case_may_be_merged_but_not_one_being_handled(cw, two):
    master, duplicate = two
    duplicate = actions.dispatch_case(actions.register_case(duplicate, cw.users["dispatcher"]), cw.users["dispatcher"])
    assert actions.merge_case(duplicate, cw.users["dispatcher"], master.pk).status == Status.MERGED
    other = actions.accept_case(actions.dispatch_case(actions.register_case(
        actions.report_case(actor=cw.users["worker_a"], source=Source.PATROL, category=cw.litter, description="又一起",
                            longitude=LON, latitude=LAT)[0], cw.users["dispatcher"]), cw.users["dispatcher"]),
        cw.users["handler"])
    with pytest.raises(IllegalTransition):
        actions.merge_case(other, cw.users["dispatcher"], master.number)


def test_refusals_name_the_master_field(cw, two, report):
    master, duplicate = two
    dispatcher = cw.users["dispatcher"]
    for bad in (duplicate.number, "", None, "20990101999", "nonsense"):
        with pytest.raises(CaseError) as caught:
            actions.merge_case(duplicate, dispatcher, bad)
        assert caught.value.field == "master", bad
    finished = report(description="另一件事")
    actions.reject_case(finished, dispatcher, "不属实")
    with pytest.raises(CaseError) as caught:
        actions.merge_case(duplicate, dispatcher, finished.number)
    assert caught.value.field == "master" and "open" in caught.value.message
    duplicate.refresh_from_db()
    assert duplicate.status == Status.REPORTED and not master.events.filter(action="merged_in").exists()


def test_only_dispatchers_merge(cw, two):
    master, duplicate = two
    for role in ("handler", "staff_a", "worker_a", "inspector"):
        with pytest.raises(NotAllowed):
            actions.merge_case(duplicate, cw.users[role], master.number)


def test_a_master_outside_the_dispatchers_scope_is_refused(cw, report):
    in_a = report()
    in_b = report(longitude=116.415, latitude=39.905)
    with pytest.raises(CaseError) as caught:
        actions.merge_case(in_b, cw.users["dispatcher_b"], in_a.number)
    assert caught.value.field == "master"
    assert "among the cases you can see" in caught.value.message  # the same words as for no such case
    assert actions.merge_case(in_b, cw.users["dispatcher"], in_a.number).merged_into == in_a


def test_merging_into_a_merged_case_follows_it_to_its_master(cw, two, report):
    master, duplicate = two
    third = report(description="多福巷12号门口垃圾")
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    assert actions.merge_case(third, cw.users["dispatcher"], duplicate.number).merged_into == master


def test_the_cases_merged_into_a_case_move_on_when_it_is_merged_itself(cw, two, report):
    master, duplicate = two
    newest = report(description="多福巷12号门口垃圾")
    actions.merge_case(newest, cw.users["dispatcher"], duplicate.number)
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    assert set(master.merged_cases.values_list("number", flat=True)) == {duplicate.number, newest.number}
    assert master.events.filter(action="merged_in").last().data == {"merged": [duplicate.number, newest.number]}


def test_closing_the_master_tells_the_merged_reporter_the_outcome_once(cw, two, django_capture_on_commit_callbacks):
    master, duplicate = two
    resident = cw.users["resident_a"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    assert Notification.objects.filter(recipient=resident, case=duplicate).count() == 1  # "it follows case ..."
    with django_capture_on_commit_callbacks(execute=True):
        master = close(cw, master)
    told = Notification.objects.filter(recipient=resident, case=duplicate).order_by("id")
    assert told.count() == 2
    outcome = told.last()
    assert master.number in outcome.title and outcome.body == "已清运，现场恢复干净"
    event = duplicate.events.get(action="master_outcome")
    assert event.note == "已清运，现场恢复干净" and event.data["master"] == master.number
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED  # it stays merged: the master carries the figures
    # Rating the master tells no one again.
    with django_capture_on_commit_callbacks(execute=True):
        actions.callback_case(master, cw.users["dispatcher"], 5, "满意")
    assert Notification.objects.filter(recipient=resident, case=duplicate).count() == 2
    assert duplicate.events.filter(action="master_outcome").count() == 1


def test_rejecting_the_master_tells_the_merged_cases_too(cw, report, django_capture_on_commit_callbacks):
    master = report()
    duplicate = report(actor=cw.users["resident_a"], source=Source.RESIDENT)
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_case(master, cw.users["dispatcher"], "经核实不属于受理范围")
    assert duplicate.events.get(action="master_outcome").note == "经核实不属于受理范围"
    assert Notification.objects.filter(recipient=cw.users["resident_a"], case=duplicate,
                                       body="经核实不属于受理范围").count() == 1


def test_merged_cases_count_as_not_taken_up_never_open_or_closed(cw, two):
    master, duplicate = two
    duplicate = actions.register_case(duplicate, cw.users["dispatcher"])
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    close(cw, master)
    f = case_figures(Case.objects.all())
    assert (f.reported, f.registered, f.rejected, f.closed, f.closed_on_time) == (2, 1, 1, 1, 1)
    assert f.on_time_closing_rate == 1.0
    assert Case.objects.open().count() == 0


# --- Pages and the API ------------------------------------------------------------------------------
def test_the_case_pages_show_the_merge_both_ways(client, cw, two):
    master, duplicate = two
    client.force_login(cw.users["dispatcher"])
    page = client.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
    assert 'value="merge"' in page and 'name="master"' in page  # the action panel's form
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    page = client.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
    assert master.number in page and reverse("cases:detail", args=[master.pk]) in page
    assert reverse("intake:case-duplicates", args=[duplicate.pk]) not in page  # no panel on a finished case
    page = client.get(reverse("cases:detail", args=[master.pk])).content.decode()
    assert duplicate.number in page


def test_a_refused_merge_on_the_page_shows_next_to_the_master_field(client, cw, two):
    master, duplicate = two
    client.force_login(cw.users["dispatcher"])
    response = client.post(reverse("cases:detail", args=[duplicate.pk]),
                           {"action": "merge", "master": duplicate.number, "version": duplicate.version})
    assert response.status_code == 400
    form = next(f for f in response.context["forms"] if f.action == "merge")
    with translation.override(response.wsgi_request.LANGUAGE_CODE):  # in the page's language
        assert form.errors["master"] == [gettext("A case cannot be merged into itself.")]
    body = {"action": "merge", "master": master.number, "version": duplicate.version}
    response = client.post(reverse("cases:detail", args=[duplicate.pk]), body, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Case.objects.get(pk=duplicate.pk).status == Status.MERGED


def test_the_tracking_page_of_a_merged_report_shows_its_master(client, cw, two):
    master, duplicate = two
    actions.merge_case(duplicate, cw.users["dispatcher"], master.number)
    url = reverse("public:track-detail", args=[duplicate.tracking_code])
    page = client.get(url).content.decode()
    assert master.number in page and master.tracking_code not in page
    close(cw, master)
    page = client.get(url).content.decode()
    assert "已清运，现场恢复干净" in page
    tracked = client.get(f"/api/v1/cases/track/{duplicate.tracking_code}/").json()
    assert tracked["merged_into"] == master.number and tracked["merged_into_status"] == "closed"
    assert tracked["result"] == "已清运，现场恢复干净"


def test_the_api_merges_through_the_action_endpoint(api, cw, two):
    master, duplicate = two
    api.force_authenticate(cw.users["dispatcher"])
    url = f"/api/v1/cases/{duplicate.pk}/merge/"
    described = api.get(url).json()
    assert described["available"] and "master" in described["fields"]
    missing = api.post(url, {"note": "重复"}, format="json")
    assert missing.status_code == 400 and "master" in missing.json()["fields"]
    itself = api.post(url, {"master": duplicate.number}, format="json")
    assert itself.status_code == 400 and "master" in itself.json()["fields"]
    done = api.post(url, {"master": master.number, "version": duplicate.version}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "merged"
    api.force_authenticate(cw.users["dispatcher_b"])
    assert api.post(f"/api/v1/cases/{master.pk}/merge/", {"master": duplicate.number},
                    format="json").status_code == 404
