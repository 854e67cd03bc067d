"""The demo cases (``cases/demo.py``): every state, true timelines, work for the named accounts.

A small demo district (two streets, five communities each) is built once for the module inside a
transaction rolled back at the end; each test runs in a savepoint inside it.
"""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import shapely
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from accounts.models import User
from cases import demo as case_demo
from cases import workflow
from cases.models import OPEN_STATUSES, Case, CaseCounter, CaseEvent, CoHandling, Source, Status
from core import demo
from notifications.models import Notification

SEED = 7
NOTES = ("merged_in", "master_outcome")  # timeline entries that leave the case as it is
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    # In English like every test (conftest): a module fixture runs before that per-test override.
    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), translation.override("en"),
          transaction.atomic()):
        ctx = demo.build_demo(seed=SEED, scale=0.5, streets=2, through="cases")
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def ctx(demo_district, db):
    return demo_district


def timelines():
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id"):
        events[event.case_id].append(event)
    return events


def test_every_state_occurs_and_some_open_cases_are_overdue(ctx):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    overdue = Case.objects.overdue(now=ctx.now)
    assert overdue.count() >= 5
    assert Case.objects.open().exclude(pk__in=overdue).count() >= 5
    assert statuses[Status.CLOSED] + statuses[Status.EVALUATED] > sum(statuses[s] for s in OPEN_STATUSES)
    counts = Case.objects.values_list("rework_count", "return_count", "extension_count", "supervision_count")
    for column in range(4):
        assert any(row[column] for row in counts), column
    assert CoHandling.objects.filter(replied_at__isnull=False).exists()
    assert CoHandling.objects.filter(replied_at__isnull=True).exists()
    assert Case.objects.filter(escalated_to__isnull=False).exists()
    assert Case.objects.filter(pending_extension_hours__isnull=False).exists()


def test_every_timeline_is_consistent(ctx):
    events = timelines()
    cases = list(Case.objects.all())
    assert len(events) == len(cases) >= 100
    for case in cases:
        timeline = events[case.pk]
        first = timeline[0]
        assert (first.action, first.from_status, first.to_status, first.at) == (
            "report", "", Status.REPORTED, case.reported_at), case.number
        for before, after in zip(timeline, timeline[1:]):
            assert after.from_status == before.to_status, case.number
            assert after.at >= before.at
            transition = workflow.TRANSITIONS.get(after.action)
            if transition is None:  # a note on the timeline (a duplicate merged in), not a change of state
                assert after.action in NOTES and after.to_status == after.from_status, (case.number, after.action)
                continue
            assert after.from_status in transition.sources, (case.number, after.action)
            assert after.to_status == (transition.target or after.from_status), (case.number, after.action)
        assert timeline[-1].to_status == case.status, case.number
        assert timeline[-1].at < ctx.now and case.updated_at == timeline[-1].at
        assert case.version == sum(event.action not in NOTES for event in timeline)
        last = {event.action: event.at for event in timeline}
        assert case.registered_at == last.get("register")
        assert case.dispatched_at == last.get("dispatch")
        assert case.closed_at == last.get("close", last.get("reject", last.get("merge")))
        assert case.evaluated_at == last.get("evaluate", last.get("callback"))
        if case.status in (Status.RESOLVED, Status.VERIFIED, Status.CLOSED, Status.EVALUATED):
            assert case.resolved_at == last["resolve"]
        assert case.rework_count == sum(event.action == "send_back" for event in timeline)
        assert case.return_count == sum(event.action == "return" for event in timeline)
        assert case.extension_count == sum(event.action == "approve_extension" for event in timeline)
        assert (case.deadline is None) == (case.status not in OPEN_STATUSES or case.status == Status.SUSPENDED
                                           or case.status == Status.VERIFIED)
        assert case.path == case.grid.path and case.title and case.description


def test_numbers_follow_the_day_and_the_counter_continues(ctx):
    numbers = list(Case.objects.order_by("reported_at", "number").values_list("number", "reported_at"))
    per_day = defaultdict(list)
    for number, _reported in numbers:
        per_day[number[:8]].append(int(number[8:]))
    for day, sequence in per_day.items():
        assert sorted(sequence) == list(range(1, len(sequence) + 1)), day
        assert CaseCounter.objects.get(day=f"{day[:4]}-{day[4:6]}-{day[6:]}").last == len(sequence)
    assert len(set(Case.objects.values_list("tracking_code", flat=True))) == len(numbers)


def test_sources_reporters_and_places(ctx):
    sources = Counter(Case.objects.values_list("source", flat=True))
    assert sources[Source.PATROL] > sources[Source.HOTLINE] > 0
    patrol = Case.objects.filter(source=Source.PATROL).select_related("reporter")
    assert all(case.reporter.role == "grid_worker" and case.reporter.org_unit_id == case.grid_id for case in patrol)
    assert all(case.reporter_phone for case in Case.objects.filter(source__in=(Source.HOTLINE, Source.RESIDENT)))
    assert Case.objects.filter(source=Source.HOTLINE, external_id__startswith="12345-").count() == sources["hotline"]
    for case in Case.objects.all()[:200]:
        assert case.grid.level == "grid"
        shape = ctx.shapes[case.grid.code]
        assert shape.covers(shapely.Point(case.longitude, case.latitude))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in case.title + case.address)


def named_work(ctx, username):
    user = User.objects.get(username=username)
    work = Counter()
    for case in Case.objects.visible_to(user):
        for action in workflow.available_actions(case, user):
            work[action] += 1
    return work


def test_named_accounts_have_work(ctx):
    dispatcher = named_work(ctx, "dispatcher")
    for action in ("register", "reject", "dispatch", "approve_extension", "close", "resume", "supervise"):
        assert dispatcher[action] >= 1, action
    assert dispatcher["register"] >= 3 and dispatcher["dispatch"] >= 2
    handler = named_work(ctx, "handler")
    for action in ("accept", "return", "resolve", "request_extension", "report_back"):
        assert handler[action] >= 1, action
    assert handler["accept"] >= 3 and handler["resolve"] >= 4
    assert named_work(ctx, "inspector")["verify"] >= 4
    for username in ("gridworker", "resident"):
        user = User.objects.get(username=username)
        own = Case.objects.filter(reporter=user)
        assert {Status.CLOSED, Status.EVALUATED} <= set(own.values_list("status", flat=True)), username
        assert own.open().exists(), username
        assert named_work(ctx, username)["evaluate"] >= 2, username
    # Their notifications were sent as the actions happened, not at loading.
    notices = Notification.objects.filter(recipient__username="handler")
    assert notices.exists() and all(n.created < ctx.now for n in notices)
    # Older ones have been read, recent ones not yet.
    for notice in Notification.objects.all():
        assert (notice.read_at is None) == (notice.created >= ctx.now - timedelta(days=2)), notice.title
        assert notice.read_at is None or notice.read_at > notice.created


def test_the_simulation_gives_what_the_actions_give(ctx):
    """Bulk cases are simulated; the same plans run through the real actions give the same cases."""
    bulk, scripted = case_demo.plan_cases(ctx)
    chosen, covered = [], set()
    for plan in [*bulk, *scripted]:  # a few plans that together take every action and end in every state
        features = {step.action for step in plan.steps} | {plan.simulation.case.status}
        if features - covered:
            chosen.append(plan)
            covered |= features
    assert {"send_back", "return", "approve_extension", "escalate", "report_back"} <= covered
    fields = [f.attname for f in Case._meta.concrete_fields
              if f.attname not in ("id", "number", "tracking_code", "updated_at")]
    for plan in chosen:
        plan.number = plan.tracking_code = ""  # the demo has these already: take fresh ones
        real = case_demo.enact(plan)
        real.refresh_from_db()
        simulated = plan.simulation.case
        # An empty phone reads back as None from PostgreSQL (the encrypted field) and "" from SQLite.
        real.reporter_phone = real.reporter_phone or ""
        assert {f: getattr(real, f) for f in fields} == {f: getattr(simulated, f) for f in fields}, plan.title
        columns = ("action", "actor_id", "actor_label", "at", "from_status", "to_status", "note", "data")
        assert [tuple(getattr(e, c) for c in columns) for e in real.events.order_by("at", "id")] == [
            tuple(getattr(e, c) for c in columns) for e in plan.simulation.events]
        co = ("department_id", "requested_at", "reply", "replied_at", "replied_by_id")
        assert sorted(tuple(getattr(c, f) for f in co) for c in real.co_handlings.all()) == sorted(
            tuple(getattr(c, f) for f in co) for c in plan.simulation.co.values())


def fingerprint():
    cases = list(Case.objects.order_by("number").values_list(
        "number", "tracking_code", "source", "category__code", "grid__code", "title", "description", "address",
        "longitude", "latitude", "reporter__username", "reporter_name", "status", "department__code",
        "reported_at", "closed_at", "deadline", "satisfaction", "updated_at"))
    events = list(CaseEvent.objects.order_by("case__number", "at", "id").values_list(
        "case__number", "action", "actor__username", "at", "from_status", "to_status", "note", "data"))
    notices = sorted(Notification.objects.values_list("recipient__username", "title", "created", "read_at"))
    return cases, events, notices


def test_the_same_seed_gives_the_same_cases(ctx):
    before = fingerprint()
    core_before = demo.fingerprint()
    demo.flush_demo([step for step in demo.discover_steps() if step.name == "cases"])
    assert not Case.objects.exists() and not Notification.objects.exists() and not CaseCounter.objects.exists()
    case_demo.make_cases(ctx)
    assert fingerprint() == before
    assert demo.fingerprint() == core_before
