"""Demo step: early warnings (风险预警). After the demo cases, petitions and disputes, plant what the
detection should find in the first street (the named accounts' corner) through the same actions people
use, then run the detection of yesterday as the nightly sweep would:

- a burst of sewer-manhole reports (污水井盖) around one point of the first grid, by nine different
  residents and callers over the last six days (a cluster);
- street-light reports (路灯) all over the second community (a topic surge);
- hotline calls without a point about night-time noise at one address of the third community (a
  cluster by address);
- when the dispute demo has no repeat in the window already: two parties of the first street back after
  a mediation (a repeat dispute). Repeat petitions are those of the petition demo's repeat groups.

Deterministic (its own random stream) and quick: about thirty reports and one detection.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from cases import actions as case_actions
from cases.demo import settle_updated
from cases.demo_texts import compose
from cases.models import Case, Source
from core.demo import ChineseNames, DemoContext, demo_step

from . import hotspots
from .actions import train_router, training_rows
from .models import HotspotState, RoutingKind, RoutingSettings

CLUSTER_REPORTS = 9
LIGHT_REPORTS = 8
NOISE_CALLS = 7
DEMO_THRESHOLD = Decimal("0.9")  # auto-dispatch in the demo: reports the router is this sure of


def _moment(ctx: DemoContext, rng, day_back: int, hours=(7, 22)) -> datetime:
    day = ctx.now.date() - timedelta(days=day_back)
    at = datetime.combine(day, time(0), timezone.get_default_timezone())
    return at + timedelta(hours=float(rng.uniform(*hours)))


def _phone(rng) -> str:
    return "13" + "".join(str(int(d)) for d in rng.integers(0, 10, 9))


def _report(ctx, rng, names, *, grid, code, address, point=None, source=Source.RESIDENT, day_back=1):
    category = ctx.categories[code]
    voice = "hotline" if source == Source.HOTLINE else "resident"
    title, description = compose(code, rng, address, category.name, voice=voice)
    surname, given = names.full()
    lon, lat = point if point else (None, None)
    case_actions.report_case(source=source, category=category, title=title, description=description,
                             longitude=lon, latitude=lat, grid=grid, address=address,
                             reporter_name=surname + given, reporter_phone=_phone(rng),
                             now=_moment(ctx, rng, day_back))


@demo_step("hotspots", order=900, flush=("intake.HotspotEvent", "intake.Hotspot", "intake.HotspotState"))
def make_hotspots(ctx: DemoContext) -> None:
    rng = ctx.rng("hotspots")
    names = ChineseNames(rng)
    started = timezone.now()
    street = ctx.streets[0]
    communities = ctx.children(street)
    # A cluster: sewer manholes around one point of the first grid (within about 60 m).
    grid = ctx.children(communities[0])[0]
    lon, lat = ctx.random_point(grid, rng)
    lane = communities[0].name.removesuffix("社区")
    spot = f"{lane}胡同{int(rng.integers(5, 60))}号门前"
    for i in range(CLUSTER_REPORTS):
        point = (round(lon + float(rng.normal(0, 0.0003)), 6), round(lat + float(rng.normal(0, 0.0002)), 6))
        _report(ctx, rng, names, grid=grid, code="B0102", address=spot, point=point,
                source=Source.HOTLINE if i % 3 == 2 else Source.RESIDENT, day_back=1 + i % 6)
    # A topic surge: street lights out all over the second community.
    if len(communities) > 1:
        grids = ctx.children(communities[1])
        for i in range(LIGHT_REPORTS):
            light_grid = grids[i % len(grids)]
            point = ctx.random_point(light_grid, rng)
            address = f"{communities[1].name.removesuffix('社区')}胡同{int(rng.integers(1, 90))}号附近"
            _report(ctx, rng, names, grid=light_grid, code="B0205", address=address, point=point, day_back=1 + i % 6)
    # A cluster by address: hotline calls about noise at one building, typed in without a point.
    if len(communities) > 2:
        noisy = ctx.children(communities[2])[0]
        building = f"{communities[2].name.removesuffix('社区')}小区{int(rng.integers(1, 9))}号楼"
        for i in range(NOISE_CALLS):
            _report(ctx, rng, names, grid=noisy, code="0602", address=building, source=Source.HOTLINE,
                    day_back=1 + i % 5)
    planted = Case.objects.filter(updated_at__gte=started)
    ctx.count(gettext("cases"), planted.count())  # with the cases step's, under the same label
    settle_updated(planted)
    day = ctx.now.date() - timedelta(days=1)
    # Repeat petitions come from the petition demo's own repeat groups (it makes the same person come
    # back); a repeat dispute is added when the dispute demo has none in the window.
    if not hotspots.dispute_candidates(day):
        _repeat_dispute(ctx, street)
    detection, sent = hotspots.run(day, now=ctx.now)
    HotspotState.objects.update_or_create(pk=1, defaults={"last_day": day, "last_run_at": ctx.now})
    ctx.count(gettext("early warnings"), len(detection.hotspots))
    ctx.count(gettext("warning notifications"), sent)


def _repeat_dispute(ctx: DemoContext, street) -> None:
    """The parties of a dispute of the street that mediation ended come back with it two days ago."""
    from disputes.actions import register_dispute
    from disputes.models import Dispute

    today = ctx.now.date()
    earlier = (Dispute.objects.filter(path__startswith=street.path, status__in=hotspots.ENDED_AFTER_MEDIATION,
                                      ended_on__lte=today - timedelta(days=10),
                                      received_on__gte=today - timedelta(days=300))
               .order_by("received_on", "pk").prefetch_related("parties").first())
    actor = ctx.named.get("justice")
    if earlier is None or actor is None or earlier.parties.count() < 2:
        return
    parties = [{"name": p.name, "side": p.side, "kind": p.kind, "id_number": p.id_number or "", "phone": p.phone or "",
                "address": p.address, "resident": p.resident, "unit": p.unit} for p in earlier.parties.all()]
    register_dispute(actor, place=earlier.place, title=earlier.title,
                     description="双方再次发生纠纷，原调解结果未能落实。" + earlier.description, kind=earlier.kind,
                     parties=parties, received_on=today - timedelta(days=2))


@demo_step("routing", order=950, flush=("intake.RoutingModel", "intake.RoutingSettings"))
def train_routers(ctx: DemoContext) -> None:
    """The routers learned from the demo's closed cases (three folds to keep the demo quick), and
    auto-dispatch switched on for reports the department router is at least 90 % sure of: new reports
    in the running demo are dispatched by the task worker."""
    for kind in RoutingKind.values:
        train_router(kind, training_rows(kind), folds=3)
    RoutingSettings.objects.update_or_create(pk=1, defaults={
        "auto_dispatch_threshold": DEMO_THRESHOLD, "retrain_days": 7,
        "next_training_at": ctx.now + timedelta(days=7)})
