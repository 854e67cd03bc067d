"""Train, keep and use versions of the router (issue 8).

``training_rows`` reads what the deployment learned: its closed cases and who finally handled them.
``train_router`` measures a new version by cross-validation, trains it on every row, stores it and
activates it when its score is not worse than the active version's. ``suggest`` asks the active version.

The router (scikit-learn, scipy, jieba: about 150 MB once loaded) runs only in the task worker: it computes
each waiting case's suggestions when the case is reported (``route_new_case``) and again when another version
becomes active (``refresh_suggestions``), and stores them (``CaseSuggestion``). Web processes read the stored
rows (``suggestions_for``) and never import ``intake.routing``: keep its imports inside functions.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, Status
from core.errors import DomainError

from .models import CaseSuggestion, RoutingKind, RoutingModel, RoutingSettings

if TYPE_CHECKING:  # the router's module imports scikit-learn and jieba: only where it predicts or trains
    from .routing import Router

# Fewer closed cases than this teach nothing worth suggesting.
MIN_ROWS = 10
SCORE = "cv_macro_f1"  # the score versions are compared on
SHOWN = 3  # suggestions shown per kind
# Suggestions stored per kind: departments beyond the shown ones stand in for those that return the case.
STORED = {RoutingKind.DEPARTMENT: 8, RoutingKind.CATEGORY: SHOWN}
# Cases waiting for a dispatcher's decision: those whose suggestions are stored and kept up to date.
WAITING_STATUSES = (Status.REPORTED, Status.REGISTERED, Status.RETURNED)
REFRESH_BATCH = 500


class RoutingError(DomainError):
    pass


def _kind(kind: str) -> str:
    if kind not in RoutingKind.values:
        raise RoutingError(_("Unknown routing kind: %(kind)s.") % {"kind": kind}, field="kind")
    return kind


def training_rows(kind: str) -> list[tuple[str, str, str]]:
    """(title, text, label) of every closed or evaluated case.

    The label is the major class code of the case's category (kind ``category``) or the code of the
    department that finally led it (kind ``department``: a department that returned the case lost it,
    so only the one it was closed under counts; a case closed without a department is left out).
    """
    _kind(kind)
    cases = (Case.objects.filter(status__in=(Status.CLOSED, Status.EVALUATED))
             .select_related("category__parent", "department").order_by("pk"))
    rows = []
    for case in cases.iterator(chunk_size=2000):
        if kind == RoutingKind.CATEGORY:
            label = (case.category.parent or case.category).code
        elif case.department_id:
            label = case.department.code
        else:
            continue
        rows.append((case.title, case.description, label))
    return rows


def cross_validate(rows, folds: int = 5, **options) -> dict:
    """Mean accuracy and macro-F1 of ``Router(**options)`` over stratified folds of ``rows``."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    from .routing import Router

    texts = [(title, text) for title, text, _label in rows]
    labels = np.array([label for _title, _text, label in rows])
    smallest = int(np.unique(labels, return_counts=True)[1].min())
    folds = max(2, min(folds, smallest))
    accuracy, macro_f1 = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes with fewer rows than folds; labels missing from a fold
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
            router = Router(**options).fit([texts[i] for i in train], labels[train], calibrate=False)
            predicted = router.predict([texts[i] for i in test])
            accuracy.append(accuracy_score(labels[test], predicted))
            macro_f1.append(f1_score(labels[test], predicted, average="macro"))
    return {"cv_accuracy": round(float(np.mean(accuracy)), 4), "cv_macro_f1": round(float(np.mean(macro_f1)), 4),
            "folds": folds}


def train_router(kind: str, rows, actor=None, folds: int = 5, **options) -> RoutingModel:
    """Measure (``folds``-fold cross-validation), train and store a new version; it becomes active unless
    the active one scores better."""
    _kind(kind)
    rows = [(str(title or ""), str(text or ""), str(label)) for title, text, label in rows]
    labels = sorted({label for _title, _text, label in rows})
    if len(rows) < MIN_ROWS or len(labels) < 2:
        raise RoutingError(_("Too few closed cases to learn from: %(rows)d cases in %(labels)d classes "
                             "(at least %(min)d cases in two classes).")
                           % {"rows": len(rows), "labels": len(labels), "min": MIN_ROWS})
    from .predictor import Predictor
    from .routing import Router

    metrics = cross_validate(rows, folds=folds, **options)
    start = time.perf_counter()
    router = Router(**options).fit([(title, text) for title, text, _label in rows],
                                   [label for _title, _text, label in rows])
    metrics["train_seconds"] = round(time.perf_counter() - start, 2)
    try:  # the worker predicts from the compact form, without scikit-learn (intake/predictor.py)
        blob = Predictor.from_router(router).dumps()
    except ValueError:  # a kind of model it does not cover: the whole router
        blob = router.dumps()
    with transaction.atomic():
        versions = RoutingModel.objects.select_for_update().filter(kind=kind)
        active = versions.filter(is_active=True).first()
        last = versions.order_by("-version").values_list("version", flat=True).first() or 0
        better = active is None or metrics[SCORE] >= active.metrics.get(SCORE, 0)
        if better and active is not None:
            active.is_active = False
            active.save(update_fields=["is_active"])
        model = RoutingModel.objects.create(kind=kind, version=last + 1, created_by=actor, trained_on=len(rows),
                                            labels=labels, metrics=metrics, blob=blob, is_active=better)
        if better:
            queue_refresh(kind)
        return model


def activate(model: RoutingModel) -> RoutingModel:
    """Make this version the active one of its kind (an admin going back to an earlier version)."""
    with transaction.atomic():
        RoutingModel.objects.select_for_update().filter(kind=model.kind, is_active=True).exclude(
            pk=model.pk).update(is_active=False)
        model.is_active = True
        model.save(update_fields=["is_active"])
        queue_refresh(model.kind)
    return model


def queue_refresh(kind: str) -> None:
    """Have the task worker recompute the stored suggestions of the waiting cases (after the commit)."""
    from .tasks import refresh_suggestions

    transaction.on_commit(lambda: refresh_suggestions.enqueue(kind))


_cache: dict[str, tuple[int, Router]] = {}
_cache_lock = threading.Lock()


def active_router(kind: str) -> Router | None:
    """The active version's router, loaded once per process and version (in the task worker)."""
    return _active(kind)[1]


def _active(kind: str) -> tuple[int | None, Router | None]:
    """(pk, router) of the active version of ``kind``; (None, None) before one is trained."""
    from . import predictor

    active = RoutingModel.objects.filter(kind=_kind(kind), is_active=True).values_list("pk", flat=True).first()
    if active is None:
        return None, None
    cached = _cache.get(kind)
    if cached is None or cached[0] != active:
        blob = RoutingModel.objects.values_list("blob", flat=True).get(pk=active)
        with _cache_lock:
            _cache[kind] = cached = (active, predictor.load(blob))
    return cached


def suggest(kind: str, title: str, text: str, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` likeliest labels (major class codes or department codes) with their probability, best first.

    Empty when no version of this kind was trained yet."""
    router = active_router(kind)
    if router is None:
        return []
    return router.predict_top([(title, text)], k=k)[0]


def train_each(kinds=RoutingKind.values, actor=None):
    """``(kind, new version)`` for each kind trained from the closed cases, or ``(kind, RoutingError)`` for a
    kind with too little to learn from: reported, not raised (a young deployment simply has no router yet)."""
    for kind in kinds:
        try:
            yield kind, train_router(kind, training_rows(kind), actor=actor)
        except RoutingError as error:
            yield kind, error


def retrain_all(actor_id: int | None = None) -> dict:
    """Train a new version of each kind (the scheduled or requested task): what became of each, in words."""
    from accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return {kind: str(result) if isinstance(result, RoutingError)
            else f"v{result.version}" + (" active" if result.is_active else " kept inactive")
            for kind, result in train_each(actor=actor)}


# --- Suggestions for people and auto-dispatch -----------------------------------------------------
@dataclass
class Suggestion:
    """One suggested label, resolved to its object where it still exists."""

    code: str
    probability: float
    obj: object = None  # the Category (major class) or Department; None when it is gone

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def name(self) -> str:
        return getattr(self.obj, "name", self.code)


def store_suggestions(cases, kinds=RoutingKind.values) -> int:
    """Compute (with the active version of each kind) and store the suggestions of ``cases``; the number
    of rows written. Runs in the task worker: it loads the router."""
    cases = list(cases)
    if not cases:
        return 0
    texts = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "description"))
    inputs = [(case.title, texts.get(case.pk, "")) for case in cases]
    now = timezone.now()
    rows = []
    for kind in kinds:
        version, router = _active(kind)
        if router is None:
            continue
        tops = router.predict_top(inputs, k=STORED.get(kind, SHOWN))
        rows += [CaseSuggestion(case_id=case.pk, kind=kind, version_id=version, made_at=now,
                                items=[[code, float(p)] for code, p in top])
                 for case, top in zip(cases, tops, strict=True)]
    CaseSuggestion.objects.bulk_create(rows, update_conflicts=True, unique_fields=["case", "kind"],
                                       update_fields=["version", "items", "made_at"])
    return len(rows)


def refresh_suggestions(kind: str | None = None, batch: int = REFRESH_BATCH) -> int:
    """Recompute the stored suggestions of every case waiting for dispatch, ``batch`` cases at a time
    (after another version became active); the number of cases."""
    kinds = [_kind(kind)] if kind else RoutingKind.values
    waiting = Case.objects.filter(status__in=WAITING_STATUSES).only("pk", "title").order_by("pk")
    done, last = 0, 0
    while True:
        cases = list(waiting.filter(pk__gt=last)[:batch])
        if not cases:
            return done
        store_suggestions(cases, kinds=kinds)
        done += len(cases)
        last = cases[-1].pk


def suggestions_for(cases, kinds=(RoutingKind.DEPARTMENT, RoutingKind.CATEGORY), k: int = SHOWN) -> dict:
    """``{case pk: {kind: [Suggestion, ...]}}`` for many cases at once, read from the stored suggestions
    (a few queries, no model: fit for web processes). A case whose suggestions are not computed yet while
    a version is active gets ``{"pending": True}`` instead; no entry where no version is trained."""
    from cases.models import Category
    from places.models import Department

    cases = list(cases)
    if not cases:
        return {}
    stored = list(CaseSuggestion.objects.filter(case__in=[c.pk for c in cases], kind__in=kinds)
                  .values_list("case_id", "kind", "items"))
    # A department that returned a case has said it is not theirs: it is not suggested for it again.
    returned_by = defaultdict(set)
    for case_id, data in CaseEvent.objects.filter(case__in=[c.pk for c in cases if c.status == Status.RETURNED],
                                                  action="return").values_list("case_id", "data"):
        returned_by[case_id].add((data or {}).get("department"))
    codes = defaultdict(set)
    for _case_id, kind, items in stored:
        codes[kind].update(code for code, _p in items)
    objects = {kind: {obj.code: obj for obj in (Department if kind == RoutingKind.DEPARTMENT else Category)
                      .objects.filter(code__in=found)} for kind, found in codes.items()}
    result = {case.pk: {} for case in cases}
    for case_id, kind, items in stored:
        found = [Suggestion(code, p, objects[kind].get(code)) for code, p in items]
        if kind == RoutingKind.DEPARTMENT and case_id in returned_by:
            found = [s for s in found if s.obj is None or s.obj.name not in returned_by[case_id]]
        result[case_id][kind] = found[:k]
    missing = [case.pk for case in cases if not result[case.pk] and case.status in WAITING_STATUSES]
    if missing and RoutingModel.objects.filter(kind__in=kinds, is_active=True).exists():
        for pk in missing:
            result[pk]["pending"] = True
    return result


def route_new_case(case_id: int, now=None) -> str:
    """Dispatch a newly reported case to the suggested department when the router is at least as sure
    as the admin's threshold; returns what was done (for the task's result and the tests)."""
    from django.utils import timezone

    from cases.actions import SystemActor, dispatch_case, register_case
    from cases.routing import serves

    case = Case.objects.select_related("grid").filter(pk=case_id).first()
    if case is not None and case.status in WAITING_STATUSES:
        store_suggestions([case])  # for the dispatch console and the case page
    threshold = RoutingSettings.load().auto_dispatch_threshold
    if threshold is None:
        return "off"
    if case is None or case.status not in (Status.REPORTED, Status.REGISTERED):
        return "skipped"  # gone, or a dispatcher already decided
    top = suggestions_for([case], kinds=(RoutingKind.DEPARTMENT,), k=1).get(case.pk, {}).get(RoutingKind.DEPARTMENT)
    if not top:
        return "no model"
    best = top[0]
    if best.probability < float(threshold):
        return "unsure"
    department = best.obj
    if department is None or not department.is_active or not serves(department, case.grid):
        return "unsure"
    now = now or timezone.now()
    router = SystemActor(_("Smart routing"), actions=frozenset({"register", "dispatch"}))
    note = _("Dispatched by the router: %(department)s, %(percent)d%% sure (threshold %(threshold)d%%).") % {
        "department": department.name, "percent": best.percent, "threshold": round(float(threshold) * 100)}
    with transaction.atomic():
        if case.status == Status.REPORTED:
            case = register_case(case, router, note=_("Registered by the router."), now=now)
        dispatch_case(case, router, department=department, note=note, now=now)
    return "dispatched"


def on_case_reported(sender, case, **kwargs) -> None:
    """Queue the case for the task worker (in the report's transaction: ``core.jobs.enqueue``) once a router is
    trained: it stores the case's suggestions and dispatches it when the admin switched auto-dispatch on."""
    if case.status not in (Status.REPORTED, Status.REGISTERED):
        return
    if not RoutingModel.objects.filter(is_active=True).exists():
        return
    from core.jobs import enqueue

    from .tasks import route_case

    enqueue(route_case, case.pk)
