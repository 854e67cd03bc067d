"""Grid workers' reviews (网格员考核): work done, skills and residents' satisfaction sampled at random.

A grid worker's score over a period is out of 100, in three parts:

- **work done**, ``WORK_WEIGHT`` (50): the work units of the period against the best worker of the same
  street in the same period (the best gets the full 50, the others pro rata; nobody worked: 0). Work
  units weigh the counts taken from the platform (``WORK_UNITS``): each case the worker reported (1),
  each special-care visit logged (1), each hazard found (2), each dispute registered (2), each
  screening report filed (1), in the period.
- **skills**, ``SKILLS_WEIGHT`` (20): the points (0 to ``SKILLS_MAX``, 10) the inspector gives for
  training, certificates and tests, with a note; none given counts 0.
- **satisfaction**, ``SATISFACTION_WEIGHT`` (30): the mean rating (1–5) of the residents sampled at
  random among those served (``draw_sample``) and asked, × 30 / 5; no rating yet counts 0.

Every write is one transaction, refused once the period is frozen, and leaves a ``WorkerReviewEvent``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import EVERYWHERE, scope_paths
from places.models import LEVEL_DEPTH, Level, OrgUnit

from .actions import AssessmentError, _open, may_inspect
from .models import Period, SatisfactionSample, WorkerReview, WorkerReviewEvent

WORK_WEIGHT = Decimal(50)
SKILLS_WEIGHT = Decimal(20)
SATISFACTION_WEIGHT = Decimal(30)
SKILLS_MAX = Decimal(10)
WORK_UNITS = {"cases_reported": 1, "visits": 1, "hazards": 2, "disputes": 2, "screening_reports": 1}
SAMPLE_SIZE = 5
CENT = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def street_path(path: str) -> str:
    """The path of the street a place lies in (the place's own path above the street level)."""
    parts = path.strip("/").split("/")
    return "/".join(parts[:LEVEL_DEPTH[Level.STREET] + 1]) + "/"


def worker_paths(worker) -> list[str]:
    """The places the worker serves (their scope units: their grids)."""
    return [path for path in scope_paths(worker) if path != EVERYWHERE]


def grid_workers(period: Period):
    """The active grid workers serving a grid under the period's place."""
    return (User.objects.filter(role=Role.GRID_WORKER, is_active=True, scope_units__path__startswith=period.place.path)
            .distinct().order_by("username"))


def _worker_grid(period: Period, worker) -> OrgUnit | None:
    units = worker.scope_units.filter(path__startswith=period.place.path).order_by("path")
    return units.filter(level=Level.GRID).first() or units.first()


def _between(start: date, end: date, field: str) -> dict:
    return {f"{field}__gte": start, f"{field}__lte": end}


def work_counts(worker, start: date, end: date) -> dict[str, int]:
    """What the worker did in the period, counted from the platform's records that name them."""
    from care.models import Visit
    from cases.models import Case
    from disputes.models import Dispute, ScreeningReport
    from safety.models import Hazard

    return {
        "cases_reported": Case.objects.filter(reporter=worker, **_between(start, end, "reported_at__date")).count(),
        "visits": Visit.objects.filter(visitor=worker, **_between(start, end, "visited_on")).count(),
        "hazards": Hazard.objects.filter(found_by=worker, **_between(start, end, "found_on")).count(),
        "disputes": Dispute.objects.filter(created_by=worker, **_between(start, end, "received_on")).count(),
        "screening_reports": ScreeningReport.objects.filter(
            reported_by=worker, **_between(start, end, "reported_at__date")).count(),
    }


def _event(review: WorkerReview, action: str, actor, note: str = "", data: dict | None = None) -> None:
    WorkerReviewEvent.objects.create(review=review, action=action, actor=actor, note=note, data=data or {})


def _review(period: Period, worker, actor=None) -> WorkerReview:
    """The worker's review of the period, made (with the work counted) on first use."""
    review = WorkerReview.objects.select_for_update().filter(period=period, worker=worker).first()
    if review is not None:
        return review
    if worker.role != Role.GRID_WORKER:
        raise AssessmentError(_("Only grid workers are reviewed."), field="worker")
    grid = _worker_grid(period, worker)
    if grid is None:
        raise AssessmentError(_("This grid worker serves no grid under the period's place."), field="worker")
    counts = work_counts(worker, period.start, period.end)
    review = WorkerReview.objects.create(period=period, worker=worker, place=grid, counted_at=timezone.now(),
                                         **counts)
    _event(review, "count", actor, data=counts)
    return review


@transaction.atomic
def count_work(period: Period, actor=None) -> int:
    """Make or refresh the review of every grid worker of the period with the work counted from the
    platform (idempotent). Returns the number of workers reviewed."""
    period = _open(period)
    reviewed = 0
    for worker in grid_workers(period):
        existing = WorkerReview.objects.select_for_update().filter(period=period, worker=worker).first()
        if existing is None:
            if _worker_grid(period, worker) is not None:
                _review(period, worker, actor)
                reviewed += 1
            continue
        counts = work_counts(worker, period.start, period.end)
        changed = {name: value for name, value in counts.items() if getattr(existing, name) != value}
        for name, value in counts.items():
            setattr(existing, name, value)
        existing.counted_at = timezone.now()
        existing.save()
        if changed:
            _event(existing, "count", actor, data=counts)
        reviewed += 1
    return reviewed


def _locked(review: WorkerReview) -> tuple[WorkerReview, Period]:
    period = _open(review.period)
    return WorkerReview.objects.select_for_update().get(pk=review.pk), period


def _check_reviewer(actor, review: WorkerReview, field: str) -> None:
    if actor is None or actor.pk == review.worker_id or not may_inspect(actor, review.place):
        raise AssessmentError(_("Grid workers are rated by inspectors or administrators, never by themselves."),
                              field=field)


@transaction.atomic
def set_skills(review: WorkerReview, actor, *, points, note: str = "") -> WorkerReview:
    """The skills points (0 to ``SKILLS_MAX``) with what they stand for (training, certificates)."""
    review, _period = _locked(review)
    _check_reviewer(actor, review, "points")
    try:
        value = Decimal(str(points))
    except (InvalidOperation, ValueError):
        raise AssessmentError(_("Enter a number."), field="points") from None
    if value < 0 or value > SKILLS_MAX:
        raise AssessmentError(_("Skills go from 0 to %(max)s.") % {"max": SKILLS_MAX}, field="points")
    review.skills_points, review.skills_note = value, note
    review.save(update_fields=["skills_points", "skills_note", "updated"])
    _event(review, "skills", actor, note, {"points": str(value)})
    return review


RESIDENT_SOURCES = ("resident", "hotline", "open311")


def sample_candidates(review: WorkerReview):
    """The cases a sample may be drawn from: in the worker's grid(s), reported in the period, by residents
    (or by the worker on their behalf), not drawn before for this review."""
    from cases.models import Case

    period = review.period
    paths = worker_paths(review.worker)
    where = Q(pk__in=[])
    for path in paths:
        if path.startswith(period.place.path):
            where |= Q(path__startswith=path)
    return (Case.objects.filter(where, **_between(period.start, period.end, "reported_at__date"))
            .filter(Q(source__in=RESIDENT_SOURCES) | Q(reporter=review.worker))
            .exclude(pk__in=review.samples.exclude(case=None).values("case_id"))
            .order_by("pk"))


@transaction.atomic
def draw_sample(period: Period, worker, *, size: int = SAMPLE_SIZE, rng: random.Random | None = None,
                actor=None) -> list[SatisfactionSample]:
    """Draw at random up to ``size`` residents served by the worker (by their cases) to be asked about
    their satisfaction. ``rng`` (a ``random.Random``) makes the draw reproducible."""
    period = _open(period)
    review = _review(period, worker, actor)
    if actor is not None:
        _check_reviewer(actor, review, "size")
    if size < 1:
        raise AssessmentError(_("Draw at least one."), field="size")
    rng = rng or random.SystemRandom()
    candidates = list(sample_candidates(review).values_list("pk", "reporter_name"))
    chosen = rng.sample(candidates, min(size, len(candidates)))
    samples = [SatisfactionSample.objects.create(review=review, case_id=pk, resident_name=name)
               for pk, name in sorted(chosen)]
    _event(review, "sample", actor, data={"cases": [s.case_id for s in samples]})
    return samples


@transaction.atomic
def record_rating(sample: SatisfactionSample, actor, *, rating, note: str = "") -> SatisfactionSample:
    """The answer of a sampled resident: 1 (very dissatisfied) to 5 (very satisfied)."""
    sample = SatisfactionSample.objects.select_related("review__period", "review__place").get(pk=sample.pk)
    review, _period = _locked(sample.review)
    sample = SatisfactionSample.objects.select_for_update().get(pk=sample.pk)
    _check_reviewer(actor, review, "rating")
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise AssessmentError(_("Rate from 1 to 5."), field="rating") from None
    if not 1 <= value <= 5:
        raise AssessmentError(_("Rate from 1 to 5."), field="rating")
    sample.rating, sample.note, sample.asked_by, sample.rated_at = value, note, actor, timezone.now()
    sample.save(update_fields=["rating", "note", "asked_by", "rated_at"])
    _event(review, "rating", actor, note, {"sample": sample.pk, "case": sample.case_id, "rating": value})
    return sample


# --- Results --------------------------------------------------------------------------------------
@dataclass
class WorkerResult:
    review: WorkerReview
    work_units: int = 0
    best_units: int = 0
    work_points: Decimal = Decimal(0)
    skills_points: Decimal = Decimal(0)
    satisfaction: float | None = None
    rated: int = 0
    satisfaction_points: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    rank: int = 0

    @property
    def worker(self):
        return self.review.worker


def work_units(review: WorkerReview) -> int:
    return sum(getattr(review, name) * weight for name, weight in WORK_UNITS.items())


def worker_results(period: Period, reviews=None) -> list[WorkerResult]:
    """Every reviewed worker's score (see the module's docstring), best first, ranked. The work done is
    measured against the best of the same street among all the period's reviews, whoever looks."""
    every = list(WorkerReview.objects.filter(period=period).select_related("worker", "place"))
    best: dict[str, int] = {}
    for review in every:
        key = street_path(review.path)
        best[key] = max(best.get(key, 0), work_units(review))
    wanted = every if reviews is None else list(reviews)
    ratings: dict[int, list[int]] = {}
    for review_id, rating in SatisfactionSample.objects.filter(
            review__in=[r.pk for r in wanted], rating__isnull=False).values_list("review_id", "rating"):
        ratings.setdefault(review_id, []).append(rating)
    results = []
    for review in wanted:
        result = WorkerResult(review, work_units=work_units(review), best_units=best.get(street_path(review.path), 0))
        if result.best_units:
            result.work_points = _q(WORK_WEIGHT * result.work_units / result.best_units)
        if review.skills_points is not None:
            result.skills_points = _q(SKILLS_WEIGHT * review.skills_points / SKILLS_MAX)
        rated = ratings.get(review.pk, [])
        if rated:
            result.rated = len(rated)
            result.satisfaction = sum(rated) / len(rated)
            result.satisfaction_points = _q(SATISFACTION_WEIGHT * Decimal(sum(rated)) / (5 * len(rated)))
        result.total = result.work_points + result.skills_points + result.satisfaction_points
        results.append(result)
    results.sort(key=lambda r: (-r.total, r.review.path, r.review.worker.username))
    for number, result in enumerate(results, start=1):
        result.rank = number
    return results
