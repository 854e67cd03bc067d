"""Demo deliberation, surveys and community funds.

Each community's demo resident accounts (the named account "resident" among them) are linked to
present residents of the community (实名), so they are its eligible voters. Per community: one matter
decided by a vote and being carried out (paid from the fund), one open for voting (the named resident has
not voted yet), one in discussion; the fund gets the street's allocation and donations. Per street: a
satisfaction survey, answered by about half the linked residents. Needs the places, users and people steps."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import Role
from core.demo import DemoContext, demo_step
from people.models import Resident, ResidentStatus

from . import actions
from .models import Proposal, Vote

MATTERS = [
    ("小区停车难问题", "晚间车辆乱停，消防通道被占。建议施划停车位、实行错时停车，并与周边单位协商共享车位。", 3200),
    ("老旧楼加装电梯", "楼内老人多，上下楼困难。建议申请加装电梯，费用由政府补贴和住户分摊。", 5000),
    ("楼道堆物清理", "楼道堆放杂物，存在消防隐患。建议组织统一清理并建立长效管理。", 800),
    ("健身器材更新", "小区健身器材老化损坏，建议更新并增加适老化器材。", 2600),
    ("垃圾分类驿站设置", "建议在小区北门设置垃圾分类驿站，方便居民投放。", 1500),
]
COMMENTS = ["支持，早该解决了。", "建议先听听一楼住户的意见。", "费用怎么分摊要说清楚。", "同意，希望尽快落实。"]


@demo_step("participation", order=760, flush=("participation.FundEntry", "participation.Answer",
                                               "participation.Response", "participation.Question",
                                               "participation.Survey", "participation.ProposalEvent",
                                               "participation.ProposalUpdate", "participation.Vote",
                                               "participation.Comment", "participation.Proposal"))
def make_participation(ctx: DemoContext) -> None:
    rng = ctx.rng("participation")
    now = ctx.now
    staff_of, residents_of = {}, {}
    for user in ctx.users[Role.COMMUNITY_STAFF]:
        staff_of.setdefault(user.org_unit_id, user)
    for user in ctx.users[Role.RESIDENT_USER]:
        residents_of.setdefault(user.org_unit_id, []).append(user)
    linked = proposals = 0
    for community in ctx.communities:
        staff = staff_of.get(community.pk)
        accounts = residents_of.get(community.pk, [])
        if staff is None:
            continue
        adults = Resident.objects.filter(path__startswith=community.path, status=ResidentStatus.PRESENT,
                                         account__isnull=True, birth_date__lte=now.date() - timedelta(days=18 * 365))
        records = list(adults.order_by("path", "household_no", "pk")[: 4 * len(accounts)])[::4]
        for account, record in zip(accounts, records, strict=False):
            record.account = account
            linked += 1
        Resident.objects.bulk_update(records[: len(accounts)], ["account"])  # no re-encryption of each row
        voters = [a for a, _r in zip(accounts, records, strict=False)]
        picks = rng.permutation(len(MATTERS))[:3]
        decided, open_one, talk = (MATTERS[int(i)] for i in picks)
        # Money in: the street's allocation and a donation or two.
        actions.record_fund_entry(staff, community=community, kind="allocation", amount=20000,
                                  on=(now - timedelta(days=120)).date(), counterparty=community.parent.name,
                                  purpose="年度社区公益金", voucher=f"BK{community.code[-6:]}01")
        for i in range(int(rng.integers(1, 3))):
            actions.record_fund_entry(staff, community=community, kind="donation",
                                      amount=int(rng.integers(2, 20)) * 100,
                                      on=(now - timedelta(days=int(rng.integers(30, 110)))).date(),
                                      counterparty="" if i else "爱心企业", purpose="捐赠")
        # A decided matter, carried out and paid from the fund.
        p = _proposal(staff, community, decided)
        actions.comment(p, staff, body="欢迎大家发表意见。")
        actions.open_vote(p, staff, opens_at=now - timedelta(days=40), closes_at=now + timedelta(days=1),
                          secret=True, quorum="0.5", threshold="0.5")
        # The votes, written at once (cast_vote's checks are the tests' business; the named
        # resident's vote is left for the open matter).
        choices = ["yes" if roll < 0.75 else "no" if roll < 0.9 else "abstain"
                   for roll in (rng.random() for _voter in voters[1:])]
        Vote.objects.bulk_create([Vote(proposal=p, voter=voter, choice=choice)
                                  for voter, choice in zip(voters[1:], choices, strict=True)])
        p = actions.close_vote(p, staff)
        if p.passed:
            actions.publish_decision(p, staff, decision=f"经居民表决通过：{decided[0]}，由社区居委会组织实施。")
            actions.add_update(p, staff, note="已完成方案设计和报价。", percent=40,
                               on=(now - timedelta(days=10)).date())
            actions.record_fund_entry(staff, community=community, kind="spending", amount=decided[2],
                                      on=(now - timedelta(days=5)).date(), counterparty="施工单位",
                                      purpose=decided[0], proposal=p, voucher=f"ZC{community.code[-6:]}01")
        # One open for voting.
        p = _proposal(staff, community, open_one)
        actions.open_vote(p, staff, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=7),
                          secret=bool(rng.random() < 0.5))
        Vote.objects.bulk_create([Vote(proposal=p, voter=voter, choice="yes" if rng.random() < 0.6 else "no")
                                  for voter in voters[1: 1 + len(voters) // 3]])
        # One in discussion.
        p = _proposal(voters[0] if voters else staff, community, talk)
        if p.status == "proposed":
            p = actions.admit(p, staff)
        for voter in voters[1:4]:
            actions.comment(p, voter, body=COMMENTS[int(rng.integers(len(COMMENTS)))])
        proposals += 3
    surveys = 0
    for street in ctx.streets:
        staff = ctx.named["admin"]
        survey = actions.create_survey(staff, place=street, title=f"{street.name}居民满意度调查",
                                       intro="请对本街道的社区服务打分，匿名填写。", anonymous=True)
        q1 = actions.add_question(survey, staff, kind="scale", text="您对社区环境整治是否满意？")
        q2 = actions.add_question(survey, staff, kind="scale", text="您对社区服务是否满意？")
        q3 = actions.add_question(survey, staff, kind="multiple", text="您最关心的问题",
                                  choices=["停车", "环境", "治安", "养老"])
        q4 = actions.add_question(survey, staff, kind="text", text="其他建议", required=False)
        actions.open_survey(survey, staff)
        respondents = [u for c in ctx.communities if c.parent_id == street.pk
                       for u in residents_of.get(c.pk, [])[1:] if rng.random() < 0.5]
        for user in respondents:
            answers = {str(q1.pk): int(rng.integers(2, 6)), str(q2.pk): int(rng.integers(3, 6)),
                       str(q3.pk): ["停车", "环境", "治安", "养老"][: int(rng.integers(1, 4))]}
            if rng.random() < 0.3:
                answers[str(q4.pk)] = COMMENTS[int(rng.integers(len(COMMENTS)))]
            try:
                actions.submit_response(survey, user, answers=answers)
            except actions.ParticipationError:
                continue  # an account that could not be linked to a resident
        surveys += 1
    ctx.count("verified resident accounts", linked)
    ctx.count("deliberations", proposals)
    ctx.count("surveys", surveys)


def _proposal(actor, community, matter) -> Proposal:
    title, body, _cost = matter
    proposal = actions.propose(actor, community=community, title=title, body=body)
    if proposal.status == "proposed" and actor.role != Role.RESIDENT_USER:
        actions.admit(proposal, actor)
    return Proposal.objects.get(pk=proposal.pk)


