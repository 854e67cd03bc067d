"""Demo registers (一标三实): about a hundred residents per grid in households, houses and units.

Every grid gets standard addresses (building / entrance / room) with a house each, households of one
to five people living in them (a head, a spouse, children, a parent), about 15 % of the houses let
to tenants from elsewhere (floating population, ID numbers of their home regions), care tags
(elderly living alone, disabled, low-income...) and a few units (shops, restaurants; a school in
each community). ID numbers are valid (GB 11643 check character), unique, and born on dates that
fit each person's place in the household. Everything is drawn from ``ctx.rng("people")`` and
written with ``bulk_create`` (the encrypted fields encrypt themselves on the way to the database).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.utils.translation import gettext

from core.demo import (
    DISTRICT_CODE,
    ChineseNames,
    DemoContext,
    bulk_write,
    cumulative_weights,
    demo_step,
    weighted_index,
)
from core.privacy import id_check_character, id_hash

from .models import Address, Gender, House, Move, MoveKind, Resident, Tag, UnitKind, UnitOrg

RESIDENTS_PER_GRID = 100
UNITS_PER_GRID = 3  # shops and the like (and a school per community)
RENTED_SHARE = 0.15
HOUSEHOLD_SIZES = ((1, 0.18), (2, 0.30), (3, 0.30), (4, 0.15), (5, 0.07))
TAGS = [
    ("elderly_alone", "独居老人"), ("disabled", "残疾人"), ("low_income", "低保户"), ("veteran", "退役军人"),
    ("left_behind_child", "留守儿童"), ("key_youth", "重点青少年"),
]
# Home regions of the floating population (GB/T 2260 county codes) and their names.
HOME_REGIONS = [
    ("130102", "河北省石家庄市长安区"), ("130602", "河北省保定市竞秀区"), ("410102", "河南省郑州市中原区"),
    ("410302", "河南省洛阳市老城区"), ("370102", "山东省济南市历下区"), ("340102", "安徽省合肥市瑶海区"),
    ("510104", "四川省成都市锦江区"), ("420102", "湖北省武汉市江岸区"), ("230102", "黑龙江省哈尔滨市道里区"),
    ("140105", "山西省太原市小店区"),
]
ETHNICITIES = (("汉族", 0.92), ("满族", 0.03), ("回族", 0.03), ("蒙古族", 0.01), ("朝鲜族", 0.01))
SHOPS = [("便利店", UnitKind.SHOP), ("水果店", UnitKind.SHOP), ("理发店", UnitKind.SHOP),
         ("面馆", UnitKind.RESTAURANT), ("包子铺", UnitKind.RESTAURANT), ("药店", UnitKind.SHOP),
         ("洗衣店", UnitKind.SHOP), ("小饭馆", UnitKind.RESTAURANT), ("社区诊所", UnitKind.HOSPITAL),
         ("物业公司", UnitKind.FIRM)]
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "158", "186", "188", "189")


class _Ids:
    """Unique valid ID numbers: region + birth date + sequence (odd for men) + check character."""

    def __init__(self):
        self.used: set[str] = set()

    def make(self, region: str, born: date, male: bool, rng) -> str:
        start = int(rng.integers(0, 499))
        for k in range(500):
            seq = ((start + k) % 500) * 2 + (1 if male else 0)
            first = f"{region}{born:%Y%m%d}{seq:03d}"
            if first not in self.used:
                self.used.add(first)
                return first + id_check_character(first)
        raise RuntimeError("no free ID sequence")  # 500 people of one sex born on one day in one region


_CDF: dict[tuple, np.ndarray] = {}


def _pick(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    cdf = _CDF.get(pairs)
    if cdf is None:  # what rng.choice(len(values), p=normalised weights) draws, without its checks each time
        cdf = _CDF[pairs] = cumulative_weights([w / sum(weights) for w in weights])
    return values[weighted_index(rng, cdf)]


def _born(rng, today: date, low: int, high: int) -> date:
    return today - timedelta(days=int(rng.integers(low * 365, high * 365 + 1)))


def _phone(rng) -> str:
    return PHONE_PREFIXES[int(rng.integers(len(PHONE_PREFIXES)))] + f"{int(rng.integers(0, 10**8)):08d}"


@demo_step("people", order=500, flush=("people.SensitiveView", "people.Move", "people.Resident_tags",
                                       "people.UnitOrg", "people.Resident", "people.House", "people.Address",
                                       "people.Tag"))
def make_people(ctx: DemoContext) -> None:
    rng = ctx.rng("people")
    names = ChineseNames(rng)
    today = ctx.now.date()
    ids = _Ids()
    tags = {code: Tag(code=code, name=name) for code, name in TAGS}
    Tag.objects.bulk_create(tags.values())
    tags = {tag.code: tag for tag in Tag.objects.all()}
    community_names = {c.pk: c.name.removesuffix("社区") for c in ctx.communities}
    schools = set()

    addresses, houses, residents, units = [], [], [], []
    plan = []  # (resident, tag codes)
    for grid in ctx.grids:
        prefix = community_names.get(grid.parent_id, grid.name)
        want = RESIDENTS_PER_GRID  # per grid: --scale multiplies the grids, and so the residents
        made = 0
        household = 0
        building = int(rng.integers(1, 30))
        while made < want:
            household += 1
            size = min(_pick(rng, HOUSEHOLD_SIZES), want - made)
            entrance, room = 1 + (household - 1) // 12 % 4, 101 + (household - 1) % 12 // 2 * 100 + (household - 1) % 2
            if household % 48 == 1 and household > 1:
                building += 1
            code = f"{grid.code}-{building:02d}-{entrance}-{room}"
            address = Address(grid=grid, path=grid.path, code=code, building=f"{building}号楼",
                              unit=f"{entrance}单元", room=f"{room}室",
                              text=f"{prefix}{building}号楼{entrance}单元{room}室")
            addresses.append(address)
            rented = bool(rng.random() < RENTED_SHARE)
            house = House(address=address, grid=grid, path=grid.path, is_rented=rented,
                          area=round(float(rng.uniform(35, 120)), 1))
            if rented:
                landlord = names.full()
                house.landlord_name = "".join(landlord)
                house.landlord_phone = _phone(rng)
            houses.append(house)
            floating = rented or bool(rng.random() < 0.06)
            region, hukou = HOME_REGIONS[int(rng.integers(len(HOME_REGIONS)))] if floating else (
                DISTRICT_CODE, "北京市东城区")
            surname = names.surname()
            household_no = f"{grid.code[-6:]}{household:04d}"
            low_income = bool(rng.random() < 0.04) and not floating
            members = []
            head_age = (int(rng.integers(22, 45)) if rented else int(rng.integers(28, 88))) if size > 1 else (
                int(rng.integers(60, 92)) if rng.random() < 0.5 else int(rng.integers(22, 60)))
            head_male = bool(rng.random() < 0.6)
            members.append(("本人", head_male, head_age - 1, head_age, surname))
            if size >= 2:
                age = max(20, head_age + int(rng.integers(-5, 6)))
                members.append(("配偶", not head_male, age - 1, age, names.surname()))
            for _k in range(size - len(members)):
                if head_age > 62 and rng.random() < 0.3:
                    members.append(("孙子女", bool(rng.random() < 0.5), 1, 16, surname))
                elif head_age < 55 and rng.random() < 0.25:
                    age = min(95, head_age + int(rng.integers(22, 32)))
                    members.append(("父母", bool(rng.random() < 0.5), age - 1, age, surname))
                else:
                    high = max(1, min(head_age - 20, 40))
                    members.append(("子女", bool(rng.random() < 0.5), 0, high, surname))
            ethnicity = _pick(rng, ETHNICITIES)
            for relation, male, low, high, family in members:
                born = _born(rng, today, low, max(low, high))
                resident = Resident(
                    grid=grid, path=grid.path, house=house, household_no=household_no,
                    name=family + names.given(female=not male), gender=Gender.MALE if male else Gender.FEMALE,
                    birth_date=born, id_number=ids.make(region, born, male, rng),
                    phone=_phone(rng) if today.year - born.year >= 16 else None,
                    is_household_head=relation == "本人", relation_to_head=relation,
                    is_floating=floating, is_tenant=rented, hukou_address=hukou, ethnicity=ethnicity,
                    moved_in=_born(rng, today, 0, 3) if floating else None,
                )
                resident.id_hash = id_hash(resident.id_number)
                age = today.year - born.year
                codes = []
                if size == 1 and age >= 65:
                    codes.append("elderly_alone")
                if rng.random() < 0.03:
                    codes.append("disabled")
                if low_income:
                    codes.append("low_income")
                if relation in ("本人", "配偶") and male and age >= 40 and rng.random() < 0.04:
                    codes.append("veteran")
                if relation == "孙子女" and size <= 3:
                    codes.append("left_behind_child")
                residents.append(resident)
                plan.append((resident, codes))
                made += 1
        for n in range(UNITS_PER_GRID):
            label, kind = SHOPS[int(rng.integers(len(SHOPS)))]
            code = f"{grid.code}-S{n + 1:02d}"
            address = Address(grid=grid, path=grid.path, code=code, text=f"{prefix}{n + 1}号底商")
            addresses.append(address)
            units.append(UnitOrg(grid=grid, path=grid.path, name=f"{prefix}{label}", kind=kind, address=address,
                                 contact_name="".join(names.full()), contact_phone=_phone(rng),
                                 employees=int(rng.integers(1, 12))))
        if grid.parent_id not in schools:
            schools.add(grid.parent_id)
            code = f"{grid.code}-SCH"
            address = Address(grid=grid, path=grid.path, code=code, text=f"{prefix}小学")
            addresses.append(address)
            units.append(UnitOrg(grid=grid, path=grid.path, name=f"北京市东城区{prefix}小学", kind=UnitKind.SCHOOL,
                                 address=address, employees=int(rng.integers(40, 120)),
                                 credit_code=f"12110101{int(rng.integers(10**9, 10**10))}"))

    # Hundreds of thousands of rows at --scale 10: written with COPY on PostgreSQL (core.demo.bulk_write).
    bulk_write(Address, addresses)
    for house in houses:
        house.address_id = house.address.pk
    bulk_write(House, houses)
    for resident in residents:
        resident.house_id = resident.house.pk
    bulk_write(Resident, residents)
    for unit in units:
        unit.address_id = unit.address.pk
    bulk_write(UnitOrg, units)
    Through = Resident.tags.through
    links = [Through(resident_id=r.pk, tag_id=tags[code].pk) for r, codes in plan for code in codes]
    bulk_write(Through, links)
    bulk_write(Move, [Move(resident_id=r.pk, kind=MoveKind.IN, at=r.moved_in, to_grid_id=r.grid_id,
                           to_house_id=r.house_id) for r in residents if r.moved_in])
    ctx.count(gettext("residents in the register"), len(residents))
    ctx.count(gettext("houses"), len(houses))
    ctx.count(gettext("units"), len(units))
