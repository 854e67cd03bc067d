"""The router at work: suggestions in the dispatch console and on the case page, auto-dispatch above the
admin's threshold (as the platform, recorded on the timeline), the routing page, scheduled retraining."""

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from cases import actions as case_actions
from cases.management.commands.deadline_worker import SWEEPS
from cases.models import Source, Status
from intake import actions, schedule
from intake.models import CaseSuggestion, RoutingModel, RoutingSettings

from .test_actions import LITTER_TEXTS, MANHOLE_TEXTS, close

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def trained(cw):
    u = cw.users
    for title, text in LITTER_TEXTS:
        close(cw, cw.litter, title, text, cw.roads, u["handler"])
    for title, text in MANHOLE_TEXTS:
        close(cw, cw.manhole, title, text, cw.water, u["water_handler"])
    outcome = actions.retrain_all()
    assert outcome == {"category": "v1 active", "department": "v1 active"}
    return cw


def threshold(value):
    row = RoutingSettings.load()
    row.auto_dispatch_threshold = None if value is None else Decimal(value)
    row.save()


def new_case(cw, title, text, category=None):
    case, _created = case_actions.report_case(actor=cw.users["worker_a"], source=Source.PATROL,
                                              category=category or cw.manhole, title=title, description=text,
                                              longitude=116.405, latitude=39.905)
    return case


def test_no_threshold_means_a_dispatcher_decides(trained):
    title, text = MANHOLE_TEXTS[0]
    case = new_case(trained, title, text)
    assert actions.route_new_case(case.pk) == "off"
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.department_id is None


def test_a_sure_suggestion_is_dispatched_by_the_router(trained, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    threshold("0.5")
    title, text = MANHOLE_TEXTS[1]
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(trained, title, text)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.department == trained.water
    register, dispatch = case.events.filter(action__in=("register", "dispatch")).order_by("id")
    assert dispatch.actor is None and dispatch.actor_label  # the platform, named on the timeline
    assert dispatch.actor_label == register.actor_label
    assert "%" in dispatch.note and trained.water.name in dispatch.note
    # The handlers of the department are told, as after a dispatcher's dispatch.
    assert trained.users["water_handler"].notifications.filter(case=case).exists()


def test_an_unsure_suggestion_waits_for_a_dispatcher(trained):
    threshold("1.000")
    title, text = MANHOLE_TEXTS[2]
    case = new_case(trained, title, text)
    assert actions.route_new_case(case.pk) == "unsure"
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_a_case_a_dispatcher_already_took_is_left_alone(trained):
    threshold("0.1")
    title, text = MANHOLE_TEXTS[0]
    case = new_case(trained, title, text)
    case = case_actions.register_case(case, trained.users["dispatcher"])
    case_actions.dispatch_case(case, trained.users["dispatcher"], department=trained.roads)
    assert actions.route_new_case(case.pk) == "skipped"
    case.refresh_from_db()
    assert case.department == trained.roads


def test_no_auto_dispatch_without_a_trained_router(cw):
    threshold("0.5")
    case = new_case(cw, "井盖", "井盖坏了")
    assert actions.route_new_case(case.pk) == "no model"


def test_the_system_actor_may_only_do_what_it_is_made_for(trained):
    case = new_case(trained, "井盖", "井盖坏了")
    robot = case_actions.SystemActor("robot", actions=frozenset({"register"}))
    case = case_actions.register_case(case, robot)
    with pytest.raises(case_actions.NotAllowed):
        case_actions.dispatch_case(case, robot, department=trained.water)


def no_router_here(monkeypatch):
    """Web pages read the stored suggestions: loading a router there fails the test."""
    def refuse(kind):
        raise AssertionError("a web page loaded the router")

    monkeypatch.setattr(actions, "_active", refuse)


def test_the_console_and_the_case_page_show_the_top_three(trained, client, settings, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    title, text = MANHOLE_TEXTS[3]
    with django_capture_on_commit_callbacks(execute=True):  # the task worker stores the suggestions
        case = new_case(trained, title, text)
    case = case_actions.register_case(case, trained.users["dispatcher"])
    no_router_here(monkeypatch)
    client.force_login(trained.users["dispatcher"])
    page = client.get(reverse("cases:console"), {"status": "registered"}).content.decode()
    row = page[page.index(case.number):]
    row = row[:row.index("</tr>")]
    assert 'class="learned' in row and trained.water.name in row and "%" in row
    assert row.index(trained.water.name) < row.index(trained.roads.name)  # the likeliest first
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    block = detail[detail.index('class="learned-block"'):]
    assert trained.water.name in block and trained.manhole.name in block  # department and major class


def test_the_routing_page(trained, client, settings):
    settings.TASKS = IMMEDIATE
    u = trained.users
    client.force_login(u["dispatcher"])  # reads, may not change
    page = client.get(reverse("intake:routing")).content.decode()
    assert "v1" in page and reverse("intake:train") not in page  # no training button
    assert client.post(reverse("intake:train")).status_code == 403
    assert client.post(reverse("intake:routing"), {"auto_dispatch_threshold": "0.9"}).status_code == 403
    client.force_login(u["resident_a"])
    assert client.get(reverse("intake:routing")).status_code == 403

    client.force_login(u["root"])
    bad = client.post(reverse("intake:routing"), {"auto_dispatch_threshold": "1.5", "retrain_days": "7"})
    assert bad.status_code == 400 and "auto_dispatch_threshold" in bad.context["form"].errors
    assert RoutingSettings.load().auto_dispatch_threshold is None
    good = client.post(reverse("intake:routing"), {"auto_dispatch_threshold": "0.9", "retrain_days": "3"})
    assert good.status_code == 302
    assert RoutingSettings.load().auto_dispatch_threshold == Decimal("0.9")
    client.post(reverse("intake:train"))  # the immediate backend trains at once
    versions = RoutingModel.objects.filter(kind="department").order_by("version")
    assert [v.version for v in versions] == [1, 2] and versions[1].created_by == u["root"]
    client.post(reverse("intake:activate", args=[versions[0].pk]))
    assert RoutingModel.objects.get(kind="department", is_active=True).version == 1


def test_retraining_is_queued_once_per_period(db, django_capture_on_commit_callbacks):
    assert ("routing", schedule.sweep) in SWEEPS
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.sweep(now) == 1
        assert schedule.sweep(now) == 0  # claimed: the next one is a week away
    assert RoutingSettings.load().next_training_at == now + timedelta(days=7)
    assert DBTaskResult.objects.filter(task_path__endswith=".retrain").count() == 1  # for the task worker
    assert schedule.sweep(now + timedelta(days=7)) == 1
    row = RoutingSettings.load()
    row.retrain_days = None
    row.save()
    assert schedule.sweep(now + timedelta(days=30)) == 0  # only on demand


def test_retrain_all_reports_a_router_it_cannot_train_yet(db):
    outcome = actions.retrain_all()
    assert set(outcome) == {"category", "department"} and all("Too few" in v or "太少" in v for v in outcome.values())


def test_a_case_is_not_routed_in_the_web_process(trained, client, monkeypatch):
    title, text = MANHOLE_TEXTS[3]
    case = case_actions.register_case(new_case(trained, title, text), trained.users["dispatcher"])
    no_router_here(monkeypatch)  # the task worker has not run yet
    client.force_login(trained.users["dispatcher"])
    page = client.get(reverse("cases:console"), {"status": "registered"}).content.decode()
    row = page[page.index(case.number):]
    assert 'class="learned' not in row[:row.index("</tr>")]
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    block = detail[detail.index('class="learned-block"'):]
    block = block[:block.index("</div>")]
    with translation.override("zh-hans"):  # the page's language
        pending = gettext("Suggestions from closed cases are being computed.")
    assert pending in block and trained.water.name not in block
    body = client.get(f"/api/v1/cases/{case.pk}/suggestions/").json()
    assert body == {"department": [], "category": []}


def test_a_new_version_recomputes_the_waiting_cases(trained, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    waiting = [case_actions.register_case(new_case(trained, title, text), trained.users["dispatcher"])
               for title, text in MANHOLE_TEXTS[:2]]
    dispatched = case_actions.dispatch_case(case_actions.register_case(new_case(trained, *LITTER_TEXTS[0]),
                                                                       trained.users["dispatcher"]),
                                            trained.users["dispatcher"], department=trained.roads)
    first = RoutingModel.objects.get(kind="department", is_active=True)
    with django_capture_on_commit_callbacks(execute=True):  # a retraining; the new version is as good
        second = actions.train_router("department", actions.training_rows("department"))
    assert second.is_active
    rows = CaseSuggestion.objects.filter(kind="department")
    assert {row.case_id: row.version_id for row in rows} == {case.pk: second.pk for case in waiting}
    assert not CaseSuggestion.objects.filter(case=dispatched).exists()  # no longer waiting
    assert rows.get(case=waiting[0]).items[0][0] == "WATER"
    with django_capture_on_commit_callbacks(execute=True):  # an admin goes back to the first version
        actions.activate(first)
    assert set(rows.values_list("version", flat=True)) == {first.pk}
    assert not CaseSuggestion.objects.filter(kind="category").exists()  # only the kind that changed
    assert actions.refresh_suggestions(batch=1) == 2  # in batches, both kinds
    assert CaseSuggestion.objects.filter(kind="category").count() == 2


def test_the_api_gives_the_suggestions_within_scope(trained, client):
    title, text = MANHOLE_TEXTS[3]
    case = new_case(trained, title, text)
    assert actions.route_new_case(case.pk) == "off"  # the job stores the suggestions all the same
    client.force_login(trained.users["dispatcher"])
    body = client.get(f"/api/v1/cases/{case.pk}/suggestions/").json()
    assert [s["code"] for s in body["department"]][0] == "WATER" and len(body["department"]) == 2
    assert body["category"][0]["code"] == "0201" and 0 < body["category"][0]["probability"] <= 1
    client.force_login(trained.users["dispatcher_b"])  # community B only: the case is in grid A
    assert client.get(f"/api/v1/cases/{case.pk}/suggestions/").status_code == 404


def test_a_department_that_returned_the_case_is_not_suggested_again(trained):
    u = trained.users
    title, text = MANHOLE_TEXTS[4]
    case = case_actions.register_case(new_case(trained, title, text), u["dispatcher"])
    actions.route_new_case(case.pk)
    assert actions.suggestions_for([case])[case.pk]["department"][0].obj == trained.water
    case = case_actions.dispatch_case(case, u["dispatcher"], department=trained.water)
    case = case_actions.return_case(case, u["water_handler"], "不属于我单位")
    suggested = actions.suggestions_for([case])[case.pk]["department"]
    assert [s.obj for s in suggested] == [trained.roads]


def test_web_processes_do_not_import_the_router():
    """scikit-learn, scipy and jieba take ~150 MB: only the task worker, which trains and predicts, loads them."""
    code = ("import sys, django; django.setup(); import jiceng.wsgi; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'jieba', 'joblib') if m in sys.modules))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
