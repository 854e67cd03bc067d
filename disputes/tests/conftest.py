import pytest

from accounts.models import Role
from disputes.models import Committee, Mediator
from jiceng.testing import make_user


@pytest.fixture
def dw(world):
    """The test world with committees at community A, the street and the district, a street mediator
    and a justice officer."""
    world.committee_a = Committee.objects.create(place=world.community_a, name="多福巷社区人民调解委员会",
                                                 level="community", short_name="多福巷")
    world.committee_b = Committee.objects.create(place=world.community_b, name="银闸社区人民调解委员会",
                                                 level="community", short_name="银闸")
    world.committee_street = Committee.objects.create(place=world.street, name="东华门街道人民调解委员会",
                                                      level="street", short_name="东华门")
    world.committee_county = Committee.objects.create(place=world.district, name="东城区人民调解委员会",
                                                      level="county", short_name="东城")
    world.users["mediator"] = make_user("mediator_street", Role.MEDIATOR, [world.street])
    world.users["justice"] = make_user("justice", Role.JUSTICE_OFFICER, [world.street])
    Mediator.objects.create(committee=world.committee_street, user=world.users["mediator"], name="街道调解员")
    return world


PARTIES = [{"name": "张三", "side": "applicant", "id_number": "11010519491231002X", "phone": "13800001111"},
           {"name": "李四", "side": "respondent"}]


@pytest.fixture
def new_dispute(dw):
    from disputes.actions import register_dispute

    def make(grade="general", place=None, actor=None, **options):
        options = {"title": "楼上漏水", "description": "楼上卫生间漏水到楼下，双方争执", "kind": "neighbour",
                   "parties": PARTIES, **options}
        return register_dispute(actor or dw.users["staff_a"], place=place or dw.grid_a, grade=grade, **options)

    return make
