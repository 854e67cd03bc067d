"""Community-B records of the disputes app for the scope-isolation walk (``scope_routes.py``): each
function takes the test ``world`` and gives the primary key of a record staff_b sees and staff_a does not."""

from __future__ import annotations

from datetime import date

from accounts.models import Role
from disputes.models import Campaign, Committee, Dispute
from jiceng.testing import make_user


def committee_of(world) -> int:
    """The mediation committee of community B (made on first use)."""
    committee, _created = Committee.objects.get_or_create(
        place=world.community_b, level="community",
        defaults={"name": "银闸社区人民调解委员会", "short_name": "银闸"})
    return committee.pk


def dispute_of(world) -> int:
    """A dispute in grid B registered by staff_b (its community's committee takes it)."""
    from disputes.actions import register_dispute

    committee_of(world)
    found = Dispute.objects.filter(path__startswith=world.community_b.path).first()
    if found:
        return found.pk
    return register_dispute(world.users["staff_b"], place=world.grid_b, title="银闸邻里纠纷", kind="neighbour",
                            description="银闸胡同两户因停车位争执", received_on=date(2026, 11, 2),
                            parties=[{"name": "银闸居民甲", "side": "applicant"},
                                     {"name": "银闸居民乙", "side": "respondent"}]).pk


def campaign_of(world) -> int:
    """A screening campaign over community B, started by a justice officer of community B."""
    from disputes.actions import start_campaign

    found = Campaign.objects.filter(path__startswith=world.community_b.path).first()
    if found:
        return found.pk
    officer = world.users.get("justice_b") or make_user("justice_b", Role.JUSTICE_OFFICER, [world.community_b])
    world.users["justice_b"] = officer
    return start_campaign(officer, place=world.community_b, title="银闸社区11月矛盾纠纷排查", kind="monthly",
                          starts=date(2026, 11, 1), due=date(2026, 11, 25)).pk
