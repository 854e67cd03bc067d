"""Demo major decisions: a few per street, at its communities, in every stage of the assessment. In each
street one was shelved (不出台) because most of those consulted opposed it; one is issued and followed up.
Deterministic (its own random stream) and small."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext

from accounts.models import Role
from core.demo import DemoContext, demo_step

from .models import (
    Consultation,
    ConsultationMethod,
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionStatus,
    FollowUp,
    RiskGrade,
)

S = DecisionStatus
# (title, kind, sponsor, affected) templates; {c} is the community's name.
TEMPLATES = [
    ("{c}平房区申请式退租和恢复性修建", DecisionKind.RELOCATION, "区住房和城乡建设委员会", (120, 400)),
    ("{c}老旧小区综合整治（加装电梯）", DecisionKind.OTHER, "区住房和城乡建设委员会", (80, 300)),
    ("{c}周边停车收费标准调整", DecisionKind.PRICING, "区交通委员会", (300, 900)),
    ("{c}地块征收及补偿方案", DecisionKind.LAND_TAKING, "区土地储备中心", (60, 200)),
    ("{c}菜市场拆除改建", DecisionKind.DEMOLITION, "街道办事处", (150, 500)),
    ("{c}垃圾分类驿站选址", DecisionKind.ENVIRONMENT, "区城市管理委员会", (200, 600)),
]
SUMMARIES = ["多数居民支持，希望加快进度", "部分居民关注补偿标准和过渡安置", "老年居民担心施工噪声",
             "居民对选址有不同意见", "商户关注经营损失补偿"]
METHODS = [ConsultationMethod.VISIT, ConsultationMethod.MEETING, ConsultationMethod.SURVEY,
           ConsultationMethod.HEARING, ConsultationMethod.ONLINE]
# The stages the decisions of one street are in, in order.
STAGES = [S.FOLLOWED_UP, S.SHELVED, S.ASSESSED, S.CONSULTING]


@demo_step("stability", order=730, flush=("stability.DecisionEvent", "stability.FollowUp",
                                          "stability.Consultation", "stability.Decision"))
def make_decisions(ctx: DemoContext) -> None:
    rng = ctx.rng("stability")
    now = ctx.now
    today = now.date()
    actors = {user.org_unit_id: user for user in ctx.users.get(Role.DISPATCHER, [])}
    justice = {user.org_unit_id: user for user in ctx.users.get(Role.JUSTICE_OFFICER, [])}
    made = consulted = 0
    for street in ctx.streets:
        communities = [c for c in ctx.communities if c.parent_id == street.pk]
        if not communities:
            continue
        assessor = justice.get(street.pk) or actors.get(street.pk)
        office = ctx.street_offices.get(street.code)
        for n, stage in enumerate(STAGES):
            community = communities[int(rng.integers(len(communities)))]
            title, kind, sponsor, (low, high) = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
            affected = int(rng.integers(low, high))
            started = now - timedelta(days=int(rng.integers(40, 120)) - n * 5)
            decision = Decision.objects.create(
                place=community, title=title.format(c=community.name), kind=kind, affected_count=affected,
                sponsor=office if sponsor == "街道办事处" else None,
                sponsor_name="" if sponsor == "街道办事处" and office else sponsor,
                description="为改善居民居住条件、完善公共服务，拟实施本事项，实施前开展社会稳定风险评估。")
            events = [DecisionEvent(decision=decision, action="register", to_status=S.REGISTERED, actor=None)]
            # consultations: reach 85–100 % (a consulting one only part of the way)
            share = rng.uniform(0.3, 0.7) if stage == S.CONSULTING else rng.uniform(0.85, 1.0)
            reached_total = max(1, int(affected * share))
            opposed_share = rng.uniform(0.55, 0.75) if stage == S.SHELVED else rng.uniform(0.02, 0.2)
            rows, left = [], reached_total
            rounds = int(rng.integers(2, 4))
            for r in range(rounds):
                reached = left if r == rounds - 1 else max(1, left // (rounds - r))
                left -= reached
                if reached <= 0:
                    continue
                opposed = int(round(reached * opposed_share))
                neutral = int(round((reached - opposed) * rng.uniform(0.05, 0.2)))
                rows.append(Consultation(decision=decision, held_on=(started + timedelta(days=7 * (r + 1))).date(),
                                         method=METHODS[int(rng.integers(len(METHODS)))], reached=reached,
                                         opposed=opposed, neutral=neutral, in_favour=reached - opposed - neutral,
                                         summary=SUMMARIES[int(rng.integers(len(SUMMARIES)))]))
            Consultation.objects.bulk_create(rows)
            consulted += len(rows)
            events.append(DecisionEvent(decision=decision, action="consult", from_status=S.REGISTERED,
                                        to_status=S.CONSULTING))
            decision.status = S.CONSULTING
            if stage != S.CONSULTING:
                decision.status = S.ASSESSED
                decision.assessor = assessor
                decision.assessed_at = started + timedelta(days=30)
                if stage == S.SHELVED:
                    decision.risk_grade = RiskGrade.HIGH
                    decision.assessment = "多数受影响群众反对，群众对补偿标准意见集中，存在较高稳定风险。"
                else:
                    decision.risk_grade = RiskGrade.LOW if rng.random() < 0.6 else RiskGrade.MEDIUM
                    decision.assessment = "群众支持率高，风险可控，落实化解措施后可以实施。"
                events.append(DecisionEvent(decision=decision, action="assess", from_status=S.CONSULTING,
                                            to_status=S.ASSESSED, actor=assessor, data={
                                                "risk_grade": decision.risk_grade,
                                                "coverage": round(min(1.0, reached_total / affected), 3)}))
            if stage == S.SHELVED:
                decision.status = S.SHELVED
                decision.decided_at = started + timedelta(days=35)
                events.append(DecisionEvent(decision=decision, action="shelve", from_status=S.ASSESSED,
                                            to_status=S.SHELVED, actor=assessor,
                                            note="多数受影响群众反对，暂不出台，修改方案后重新征求意见。"))
            if stage == S.FOLLOWED_UP:
                decision.decided_at = started + timedelta(days=33)
                decision.issued_on = (started + timedelta(days=38)).date()
                decision.status = S.FOLLOWED_UP
                events += [
                    DecisionEvent(decision=decision, action="approve", from_status=S.ASSESSED, to_status=S.APPROVED,
                                  actor=assessor),
                    DecisionEvent(decision=decision, action="issue", from_status=S.APPROVED, to_status=S.ISSUED,
                                  actor=assessor),
                    DecisionEvent(decision=decision, action="follow_up", from_status=S.ISSUED,
                                  to_status=S.FOLLOWED_UP, actor=assessor),
                ]
                FollowUp.objects.create(decision=decision, on=min(today, decision.issued_on + timedelta(days=14)),
                                        note="实施平稳，未发生群体性事件，个别诉求已解释答复。",
                                        incidents=int(rng.integers(0, 2)), recorded_by=assessor)
            decision.save()
            DecisionEvent.objects.bulk_create(events)
            made += 1
    ctx.count(gettext("major decisions"), made)
    ctx.count(gettext("consultations"), consulted)
