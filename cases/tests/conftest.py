import pytest

from accounts.models import Role
from cases.models import Category, Source
from jiceng.testing import make_user
from places.models import Department


@pytest.fixture
def cw(world):
    """The test world with what cases need: categories, departments and the people who work cases."""
    w = world
    w.roads = Department.objects.create(code="ROADS", name="城管执法局", org_unit=w.district)
    w.water = Department.objects.create(code="WATER", name="水务局", org_unit=w.district)
    w.street_office = Department.objects.create(code="STREET-OFFICE", name="东华门街道办事处", org_unit=w.street,
                                                is_territorial=True)
    w.major = Category.objects.create(code="01", name="市容环境", default_department=w.roads)
    w.litter = Category.objects.create(code="0101", name="暴露垃圾", parent=w.major, default_department=w.roads)
    w.manhole = Category.objects.create(code="0201", name="井盖破损", default_department=w.water)
    u = w.users
    u["handler"] = make_user("handler", Role.HANDLER, [w.district], department=w.roads)
    u["handler2"] = make_user("handler2", Role.HANDLER, [w.district], department=w.roads)
    u["water_handler"] = make_user("water_handler", Role.HANDLER, [w.district], department=w.water)
    u["inspector"] = make_user("inspector", Role.INSPECTOR, [w.street])
    u["dispatcher_b"] = make_user("dispatcher_b", Role.DISPATCHER, [w.community_b])
    return w


@pytest.fixture
def report(cw):
    """Report a case in grid A (as worker_a unless told otherwise)."""
    from cases.actions import report_case

    def make(**kwargs):
        options = {"actor": cw.users["worker_a"], "source": Source.PATROL, "category": cw.litter,
                       "description": "垃圾堆在路边", "longitude": 116.405, "latitude": 39.905}
        options.update(kwargs)
        case, _created = report_case(**options)
        return case

    return make
