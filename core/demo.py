"""The demo district: a realistic, deterministic data set laid over Beijing's Dongcheng district.

``build_demo(seed=..., scale=...)`` fills an empty database with one district (东城区, 110101), its
streets, communities and grids (Voronoi tilings: children tile their parent exactly), functional
departments, the two-level case category tree of the digital city-management standard, and users
for every role, including a fixed set of named demo accounts sharing one documented password
(``DEMO_PASSWORD``). The same seed and options always give the same records.

The work is a list of *steps*. Each app adds its own records by registering steps in a ``demo``
module of its own (``cases/demo.py``, ``disputes/demo.py``...), which ``load_demo`` imports::

    from core.demo import demo_step

    @demo_step("cases", order=600, flush=("cases.Case",))
    def make_cases(ctx):
        rng = ctx.rng("cases")                      # its own random stream, seeded from the demo seed
        for grid in ctx.grids:
            for _ in range(ctx.scaled(40)):         # --scale multiplies records
                lon, lat = ctx.random_point(grid, rng)
                ...
        ctx.count("cases", n)                       # shown in the summary

Steps run in ``order`` (the core steps use 100-400), inside one transaction, and find what earlier
steps made on the context: ``ctx.district``, ``ctx.streets``, ``ctx.communities``, ``ctx.grids`` (with
their polygons in ``ctx.shapes``), ``ctx.departments`` and ``ctx.street_offices``, ``ctx.categories``,
``ctx.users[role]`` and the named accounts in ``ctx.named``; ``ChineseNames(rng)`` makes people's
names. Records with dates should be dated relative to ``ctx.now`` (so the demo always looks recent).
Use ``bulk_create`` for anything numerous. ``flush`` names the models a step fills; ``--flush``
deletes them, latest step first, before loading again.
"""

from __future__ import annotations

import math
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext
from shapely.errors import GEOSException
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from accounts.models import Role, User
from cases.models import Category, CategoryKind
from places.geo import bump_geometry_version, centroid, to_shape
from places.models import Department, Level, OrgUnit

DEFAULT_SEED = 2026
DEMO_PASSWORD = "Jiceng-demo-2026"

# --- The district -------------------------------------------------------------------------------
DISTRICT_CODE = "110101"
DISTRICT_NAME = "东城区"
# The box the district polygon is drawn in (WGS84 longitude/latitude).
DISTRICT_BOX = (116.38, 39.86, 116.45, 39.97)
# Polygons are stored with seven decimals (about 1 cm); the overlay snaps to the same grid.
PRECISION = 1e-7
DECIMALS = 7
# Degrees of longitude are shorter than degrees of latitude here: Voronoi cells are computed in a
# plane scaled by this factor so that cells look as they would on the ground.
LON_SCALE = math.cos(math.radians((DISTRICT_BOX[1] + DISTRICT_BOX[3]) / 2))

DEFAULT_STREETS = 6
COMMUNITIES_PER_STREET = 10  # times --scale
GRIDS_PER_COMMUNITY = (8, 12)  # inclusive range; about ten on average
# Residents of one grid: mostly 600-1,800 (about 700,000 in 600 grids); about 2.6 per household.
GRID_RESIDENTS_MEAN, GRID_RESIDENTS_SD, GRID_RESIDENTS_RANGE = 1170, 300, (450, 2300)
PERSONS_PER_HOUSEHOLD = (2.4, 2.8)

# The seventeen streets of Dongcheng with their statistical codes, and community names for the first
# ones (hutong-style; names beyond these lists come from HUTONG_NAMES).
STREETS: list[tuple[str, str, list[str]]] = [
    ("001", "东华门街道",
     ["多福巷", "银闸", "东厂", "智德", "南池子", "灯市口", "正义路", "台基厂", "韶九", "霞公府"]),
    ("002", "景山街道",
     ["隆福寺", "吉祥", "黄化门", "钟鼓", "魏家", "汪芝麻", "景山东街", "皇城根北街", "三眼井", "嵩祝院"]),
    ("003", "交道口街道",
     ["交东", "福祥", "大兴", "府学", "鼓楼苑", "菊儿", "南锣鼓巷", "北兵马司", "板厂", "东棉花"]),
    ("004", "安定门街道",
     ["交北头条", "北锣鼓巷", "国子监", "钟楼湾", "宝钞南", "五道营", "分司厅", "方家胡同", "花园", "循郡"]),
    ("005", "北新桥街道",
     ["九道湾", "北新桥三条", "民安", "门楼", "青龙", "草园", "海运仓", "前永康", "北官厅", "香饵"]),
    ("006", "东四街道",
     ["东四六条", "东四七条", "东四八条", "豆瓣", "南门仓", "礼士", "西显", "朝西", "演乐", "本司"]),
    ("007", "朝阳门街道",
     ["史家", "内务部", "新鲜", "竹杆", "大方家", "禄米仓", "南竹杆", "朝内头条", "遂安伯", "干面"]),
    ("008", "建国门街道",
     ["西总布", "东总布", "赵家楼", "北京站", "崇内", "外交部街", "金宝街", "大雅宝", "苏州", "东单"]),
    ("009", "东直门街道",
     ["新中街", "清水苑", "十字坡", "东外大街", "香河园", "北官厅东", "察慈", "海运仓北", "东中街", "新中西里"]),
    ("010", "和平里街道",
     ["和平里东", "和平里西", "地坛", "交林", "化工", "民旺", "小黄庄", "安贞里", "青年湖", "黄寺"]),
    ("011", "前门街道",
     ["草厂", "大江", "西兴隆", "鲜鱼口", "长巷", "布巷子", "打磨厂", "兴隆街", "北翔凤", "前门东"]),
    ("012", "崇文门外街道",
     ["新世界", "西花市", "国瑞", "新怡家园", "崇文门东", "花市北", "后营", "幸福", "瓷器口", "东兴隆"]),
    ("013", "东花市街道",
     ["南里", "北里", "忠实里", "广渠门外", "手帕口", "斜街", "花市枣苑", "东花市大街", "白桥", "南小市"]),
    ("014", "龙潭街道",
     ["夕照寺", "板厂南", "光明", "左安门", "龙潭北里", "华城", "安化楼", "新家园", "幸福里", "广渠门"]),
    ("015", "体育馆路街道",
     ["法华寺", "体育馆", "长青园", "南岗子", "四块玉", "东革新里", "西唐", "天坛东里", "法华南里", "革新西"]),
    ("016", "天坛街道",
     ["东厅", "西园子", "金鱼池", "天坛南里", "永内东", "精忠街", "东晓市", "天坛东", "西草市", "珠市口东"]),
    ("017", "永定门外街道",
     ["桃杨路", "李村", "西革新里", "东革新里南", "沙子口", "琉璃井", "定安里", "宝华里", "杨家园", "革新里"]),
]
HUTONG_NAMES = [
    "帽儿", "雨儿", "秦老", "黑芝麻", "沙井", "炒豆", "后圆恩寺", "前圆恩寺", "蓑衣", "东不压桥", "南剪子巷",
    "北剪子巷", "大经厂", "小经厂", "千佛寺", "净土", "宝钞", "小菊儿", "福祥东", "黄米", "大佛寺", "美术馆东",
    "钱粮", "大取灯", "小取灯", "东黄城根", "骑河楼", "北池子", "磁器库", "缎库", "南湾子", "北湾子", "南河沿",
    "翠花", "椿树", "东堂子", "西堂子", "东石槽", "金鱼", "校尉", "甘雨", "锡拉", "煤渣", "新开路", "东单三条",
    "北极阁", "贡院", "船板", "盔甲厂", "苏州胡同", "后沟", "羊肉", "北羊市口", "芳草地", "东罗圈", "西罗圈",
    "南小街", "北小街", "石雀", "仓南", "府学东", "香饵东", "方砖厂", "大石桥", "国盛", "柏林寺", "戏楼",
]

DISTRICT_DEPARTMENTS = [
    # key, code suffix, name
    ("cgzf", "CGZF", "东城区城管执法局"),
    ("cgw", "CGW", "东城区城市管理委员会"),
    ("huanwei", "HWZX", "东城区环境卫生服务中心"),
    ("zjw", "ZJW", "东城区住房和城乡建设委员会"),
    ("scjg", "SCJG", "东城区市场监督管理局"),
    ("sthj", "STHJ", "东城区生态环境局"),
    ("jtw", "JTW", "东城区交通委员会"),
    ("swj", "SWJ", "东城区水务局"),
    ("wjw", "WJW", "东城区卫生健康委员会"),
    ("gafj", "GAFJ", "东城公安分局"),
    ("mzj", "MZJ", "东城区民政局"),
    ("yllh", "YLLH", "东城区园林绿化局"),
    ("xfjy", "XFJY", "东城区消防救援支队"),
    ("tyj", "TYJ", "东城区体育局"),
    ("water", "ZLS", "北京市自来水集团东城分公司"),
    ("drainage", "PSJT", "北京城市排水集团东城管理分中心"),
    ("gas", "RQJT", "北京市燃气集团东城分公司"),
    ("heat", "RLJT", "北京市热力集团东城分公司"),
    ("power", "GDGS", "国网北京东城供电公司"),
    ("telecom", "TXGX", "东城区通信管线协调办公室"),
]
STREET_OFFICE_SUFFIX = "JDB"  # 街道办事处: each street's fallback owner of cases

# Case categories: (code, name, default department key, minor classes [(code, name, key)]).
# Codes follow the major/minor numbering of the digital city-management standard (GB/T 30428.2,
# CJ/T 214). Event and component classes are numbered separately there; as codes are unique here,
# component (部件) classes carry a "B" prefix.
EVENT_CATEGORIES = [
    ("01", "市容环境", "huanwei", [
        ("0101", "私搭乱建", "cgzf"), ("0102", "暴露垃圾", "huanwei"), ("0103", "积存垃圾渣土", "huanwei"),
        ("0104", "道路不洁", "huanwei"), ("0105", "水域不洁", "swj"), ("0106", "绿地脏乱", "yllh"),
        ("0107", "露天焚烧", "cgzf"), ("0108", "餐饮油烟污染", "sthj"),
    ]),
    ("02", "宣传广告", "cgzf", [
        ("0201", "非法小广告", "cgzf"), ("0202", "违规张贴悬挂", "cgzf"), ("0203", "占道广告牌", "cgzf"),
        ("0204", "广告招牌破损", "cgw"), ("0205", "违规横幅标语", "cgzf"),
    ]),
    ("03", "施工管理", "zjw", [
        ("0301", "施工扰民", "zjw"), ("0302", "施工废弃料", "cgzf"), ("0303", "道路遗撒", "cgzf"),
        ("0304", "无证掘路", "jtw"), ("0305", "违规占道施工", "jtw"), ("0306", "工地扬尘", "zjw"),
    ]),
    ("04", "突发事件", "swj", [
        ("0401", "路面塌陷", "jtw"), ("0402", "自来水管破裂", "water"), ("0403", "燃气管道泄漏", "gas"),
        ("0404", "下水道堵塞", "drainage"), ("0405", "热力管道泄漏", "heat"), ("0406", "道路积水", "swj"),
        ("0407", "火灾", "xfjy"),
    ]),
    ("05", "街面秩序", "cgzf", [
        ("0501", "无照经营游商", "cgzf"), ("0502", "店外经营", "cgzf"), ("0503", "占道废品收购", "cgzf"),
        ("0504", "机动车乱停放", "gafj"), ("0505", "非机动车乱停放", "jtw"), ("0506", "黑车揽客", "gafj"),
        ("0507", "街头乞讨", "mzj"),
    ]),
    ("06", "其他事件", "zjw", [
        ("0601", "群租房", "zjw"), ("0602", "社会生活噪声", "gafj"), ("0603", "病媒生物孳生", "wjw"),
        ("0604", "无证经营食品", "scjg"),
    ]),
]
COMPONENT_CATEGORIES = [
    ("B01", "公用设施", "drainage", [
        ("B0101", "上水井盖", "water"), ("B0102", "污水井盖", "drainage"), ("B0103", "雨水箅子", "drainage"),
        ("B0104", "电力井盖", "power"), ("B0105", "燃气井盖", "gas"), ("B0106", "通信井盖", "telecom"),
        ("B0107", "消火栓", "xfjy"),
    ]),
    ("B02", "交通设施", "jtw", [
        ("B0201", "交通信号灯", "gafj"), ("B0202", "交通标志牌", "jtw"), ("B0203", "道路护栏", "jtw"),
        ("B0204", "公交站亭", "jtw"), ("B0205", "路灯", "cgw"),
    ]),
    ("B03", "市容环境设施", "huanwei", [
        ("B0301", "公共厕所", "huanwei"), ("B0302", "果皮箱", "huanwei"), ("B0303", "户外广告设施", "cgw"),
    ]),
    ("B04", "园林绿化设施", "yllh", [
        ("B0401", "行道树", "yllh"), ("B0402", "古树名木", "yllh"), ("B0403", "绿地", "yllh"),
    ]),
    ("B05", "房屋土地", "zjw", [
        ("B0501", "危旧房屋", "zjw"), ("B0502", "人防工程", "zjw"), ("B0503", "地下空间", "zjw"),
    ]),
    ("B06", "其他设施", "cgw", [
        ("B0601", "健身器材", "tyj"), ("B0602", "治安监控设施", "gafj"),
    ]),
]

# The named demo accounts: username -> (role, where). "where" picks the place (and department) in
# the first street / first community / first grid so that the accounts see the same corner.
NAMED_ACCOUNTS = [
    ("admin", Role.ADMIN, "district"),
    ("leader", Role.LEADER, "district"),
    ("dispatcher", Role.DISPATCHER, "district"),
    ("inspector", Role.INSPECTOR, "street"),
    ("handler", Role.HANDLER, "department"),
    ("gridworker", Role.GRID_WORKER, "grid"),
    ("community", Role.COMMUNITY_STAFF, "community"),
    ("mediator", Role.MEDIATOR, "community"),
    ("justice", Role.JUSTICE_OFFICER, "street"),
    ("volunteer", Role.VOLUNTEER, "community"),
    ("socialworker", Role.SOCIAL_WORKER, "street"),
    ("resident", Role.RESIDENT_USER, "community"),
]
NAMED_HANDLER_DEPARTMENT = "cgzf"

# --- Chinese names ------------------------------------------------------------------------------
# Common surnames with rough relative frequencies.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = np.array([1.0 / (rank + 6) for rank in range(len(SURNAMES))])
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()


def weighted_index(rng: np.random.Generator, cdf: np.ndarray) -> int:
    """``rng.choice(len(p), p=p)`` for ``cdf = cumulative_weights(p)``, the same draw from the same stream
    (Generator.choice draws one uniform number and searches the cumulative weights), without
    checking ``p`` again on every call."""
    return int(cdf.searchsorted(rng.random(), side="right"))


def cumulative_weights(p) -> np.ndarray:
    cdf = np.asarray(p, dtype=np.float64).cumsum()
    cdf /= cdf[-1]
    return cdf


SURNAME_CDF = cumulative_weights(SURNAME_WEIGHTS)
GIVEN_MALE = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋峰"
    "建国志文海东成亮晨博毅昊然轩睿泽宏振立新永春"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀燕玲婷雪慧颖琳倩晶莉红梅萍洁琴云莹丹欣怡佳悦彤雯璐蕾薇琪瑶露婧菲淑兰凤英玉秋"


class ChineseNames:
    """Plausible Chinese full names drawn from a random stream."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def surname(self) -> str:
        return SURNAMES[weighted_index(self.rng, SURNAME_CDF)]

    def given(self, female: bool | None = None) -> str:
        if female is None:
            female = bool(self.rng.random() < 0.5)
        pool = GIVEN_FEMALE if female else GIVEN_MALE
        length = 1 if self.rng.random() < 0.3 else 2
        return "".join(pool[i] for i in self.rng.integers(0, len(pool), size=length))

    def full(self, female: bool | None = None) -> tuple[str, str]:
        """(surname, given name)."""
        return self.surname(), self.given(female)


# --- Steps --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoStep:
    name: str
    func: Callable[[DemoContext], None]
    order: int
    flush: tuple[str, ...] = ()  # model labels this step fills, deleted by --flush (in this order)


_STEPS: dict[str, DemoStep] = {}


def demo_step(name: str, *, order: int, flush: Iterable[str] = ()):
    """Register a function as a demo step (decorator). Re-registering a name replaces the step."""

    def register(func):
        _STEPS[name] = DemoStep(name, func, order, tuple(flush))
        return func

    return register


def discover_steps() -> list[DemoStep]:
    """Every registered step, in order: imports the ``demo`` module of each installed app."""
    autodiscover_modules("demo")
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


@dataclass
class DemoOptions:
    seed: int = DEFAULT_SEED
    scale: float = 1.0
    streets: int = DEFAULT_STREETS
    communities_per_street: int | None = None  # default: COMMUNITIES_PER_STREET x scale
    grids_per_community: tuple[int, int] = GRIDS_PER_COMMUNITY

    def __post_init__(self):
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        if not 1 <= self.streets <= len(STREETS):
            raise ValueError(f"streets must be between 1 and {len(STREETS)}")
        if self.communities_per_street is None:
            self.communities_per_street = max(1, round(COMMUNITIES_PER_STREET * self.scale))
        if not 1 <= self.communities_per_street <= 999:
            raise ValueError("communities per street must be between 1 and 999")
        low, high = self.grids_per_community
        if not 1 <= low <= high <= 999:
            raise ValueError("grids per community must be a range within 1-999")


@dataclass
class DemoContext:
    """What the steps share: options, random streams, and the records made so far."""

    options: DemoOptions
    now: datetime = field(default_factory=timezone.localtime)  # local: ctx.now.date() is today here
    log: Callable[[str], None] = lambda message: None
    district: OrgUnit | None = None
    streets: list[OrgUnit] = field(default_factory=list)
    communities: list[OrgUnit] = field(default_factory=list)
    grids: list[OrgUnit] = field(default_factory=list)
    shapes: dict[str, Polygon] = field(default_factory=dict)  # place code -> polygon
    departments: dict[str, Department] = field(default_factory=dict)  # key -> department
    street_offices: dict[str, Department] = field(default_factory=dict)  # street code -> its office
    categories: dict[str, Category] = field(default_factory=dict)  # code -> category
    users: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))  # role -> users
    named: dict[str, User] = field(default_factory=dict)  # username -> named demo account
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _password_hash: str | None = field(default=None, repr=False)

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def scale(self) -> float:
        return self.options.scale

    def rng(self, name: str) -> np.random.Generator:
        """A random stream of its own for ``name``: steps do not disturb each other's draws."""
        return np.random.default_rng([self.options.seed, zlib.crc32(name.encode())])

    def scaled(self, n: float) -> int:
        """``n`` records at scale 1, times --scale (at least one)."""
        return max(1, round(n * self.options.scale))

    def count(self, label: str, n: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def password_hash(self) -> str:
        """The demo password, hashed once (hashing is deliberately slow) and shared by demo users."""
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def children(self, unit: OrgUnit) -> list[OrgUnit]:
        pool = {Level.DISTRICT: self.streets, Level.STREET: self.communities, Level.COMMUNITY: self.grids}[unit.level]
        return [child for child in pool if child.parent_id == unit.pk]

    def random_point(self, unit: OrgUnit, rng: np.random.Generator) -> tuple[float, float]:
        """A random (lon, lat) inside a generated place."""
        lons, lats = random_points_in(self.shapes[unit.code], 1, rng)
        return float(lons[0]), float(lats[0])


# --- Geometry -----------------------------------------------------------------------------------
class TilingError(RuntimeError):
    pass


def random_points_in(polygon, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside ``polygon`` (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = polygon.bounds
    lons, lats = np.empty(0), np.empty(0)
    while lons.size < n:
        want = max(16, 2 * (n - lons.size))
        x = rng.uniform(minx, maxx, want)
        y = rng.uniform(miny, maxy, want)
        inside = shapely.contains_xy(polygon, x, y)
        lons, lats = np.concatenate([lons, x[inside]]), np.concatenate([lats, y[inside]])
    return lons[:n], lats[:n]


def geojson_of(polygon: Polygon) -> dict:
    """A GeoJSON Polygon (counter-clockwise shell) with coordinates rounded to DECIMALS."""
    polygon = orient(polygon, 1.0)
    rings = [polygon.exterior, *polygon.interiors]
    return {
        "type": "Polygon",
        "coordinates": [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring.coords] for ring in rings],
    }


def district_polygon(rng: np.random.Generator) -> Polygon:
    """A slightly irregular polygon filling most of DISTRICT_BOX."""
    minx, miny, maxx, maxy = DISTRICT_BOX
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hx, hy = (maxx - minx) / 2, (maxy - miny) / 2
    points = []
    per_side = 5
    # Walk the box outline counter-clockwise, pulling each vertex inwards by a random amount.
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    for side in range(4):
        (ax, ay), (bx, by) = corners[side], corners[(side + 1) % 4]
        for k in range(per_side):
            t = k / per_side
            ux, uy = ax + (bx - ax) * t, ay + (by - ay) * t
            pull = 1 - rng.uniform(0.0, 0.12)
            points.append((cx + ux * hx * pull, cy + uy * hy * pull))
    polygon = shapely.set_precision(Polygon(points), PRECISION)
    if not isinstance(polygon, Polygon) or not polygon.is_valid:
        raise TilingError("district polygon")
    return to_shape(geojson_of(polygon))


def _voronoi_cells(parent: Polygon, seeds: np.ndarray) -> list[Polygon]:
    """Voronoi cells of ``seeds`` (in the ground-scaled plane), in seed order, back in degrees."""
    scale = np.array([LON_SCALE, 1.0])
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    frame = shapely.box((minx - pad) * LON_SCALE, miny - pad, (maxx + pad) * LON_SCALE, maxy + pad)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds * scale), extend_to=frame, ordered=True)
    cells = shapely.get_parts(diagram)
    return list(shapely.transform(cells, lambda coords: coords / scale))


def _clip(cells: list[Polygon], parent: Polygon, seeds: np.ndarray) -> list[Polygon]:
    """Cells clipped by the parent: one Polygon per seed, tiling the parent without gaps or overlaps.

    A cell cut into several pieces by a concave parent keeps the piece holding its seed; the other
    pieces join the neighbouring cell they share the longest edge with.
    """
    clipped = shapely.intersection(np.array(cells, dtype=object), parent, grid_size=PRECISION)
    mains: list = []
    orphans: list[Polygon] = []
    for (x, y), geom in zip(seeds, clipped, strict=True):
        parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 0]
        if not parts:
            raise TilingError("a seed's cell vanished")
        seed = shapely.Point(x, y)
        parts.sort(key=lambda p: (not p.covers(seed), -p.area))
        mains.append(parts[0])
        orphans.extend(parts[1:])
    for piece in sorted(orphans, key=lambda p: -p.area):
        shared = [shapely.length(shapely.intersection(piece.boundary, main.boundary)) for main in mains]
        best = int(np.argmax(shared))
        if shared[best] <= 0:
            raise TilingError("an isolated piece")
        merged = shapely.union(mains[best], piece, grid_size=PRECISION)
        if not isinstance(merged, Polygon):
            raise TilingError("a piece touching its neighbour only at a point")
        mains[best] = merged
    return mains


def tile(parent: Polygon, n: int, rng: np.random.Generator, *, lloyd: int = 2, attempts: int = 25) -> list[Polygon]:
    """Split ``parent`` into ``n`` polygons that tile it exactly (a clipped Voronoi tiling).

    Seeds are random points inside the parent, moved ``lloyd`` times to the centroids of their cells
    so that the tiles are of similar size. Each result is stored-ready (rounded as it will be saved)
    and valid; neighbours share their edges vertex for vertex.
    """
    if n == 1:
        return [parent]
    for _ in range(attempts):
        lons, lats = random_points_in(parent, n, rng)
        seeds = np.column_stack([lons, lats])
        try:
            for _ in range(lloyd):
                cells = _clip(_voronoi_cells(parent, seeds), parent, seeds)
                moved = []
                for cell, seed in zip(cells, seeds, strict=True):
                    c = cell.centroid
                    moved.append((c.x, c.y) if cell.contains(c) else tuple(seed))
                seeds = np.array(moved)
            cells = _clip(_voronoi_cells(parent, seeds), parent, seeds)
            tiles = [to_shape(geojson_of(cell)) for cell in cells]
        except (TilingError, ValueError, GEOSException):
            continue
        areas = shapely.area(np.array(tiles, dtype=object))
        if areas.min() < 0.2 * areas.mean():
            continue  # a sliver of a tile: draw again
        if not shapely.coverage_is_valid(np.array(tiles, dtype=object)):
            continue
        if abs(areas.sum() - parent.area) > parent.length * PRECISION:
            continue  # more than rounding to PRECISION along the parent's boundary explains
        return tiles
    raise TilingError(f"could not tile a polygon into {n} parts")


# --- Core steps ---------------------------------------------------------------------------------
def _unit(ctx: DemoContext, level: str, code: str, name: str, parent: OrgUnit | None, polygon: Polygon) -> OrgUnit:
    geometry = geojson_of(polygon)
    lon, lat = centroid(geometry)
    unit = OrgUnit(
        level=level, code=code, name=name, parent=parent, geometry=geometry, centroid_lon=lon, centroid_lat=lat,
        path=(parent.path if parent else "") + code + "/",  # what OrgUnit.save() would compute
    )
    ctx.shapes[code] = polygon
    return unit


def _community_names(ctx: DemoContext) -> dict[str, list[str]]:
    """Community names per street code: the street's own list first, then unused hutong names."""
    rng = ctx.rng("community-names")
    per_street = ctx.options.communities_per_street
    streets = STREETS[: ctx.options.streets]
    used = {name for _, _, names in STREETS for name in names}
    spare = [name for name in HUTONG_NAMES if name not in used]
    spare = [spare[i] for i in rng.permutation(len(spare))]
    result, taken = {}, set()
    for suffix, _, names in streets:
        chosen = [name for name in names if name not in taken][:per_street]
        while len(chosen) < per_street:
            if spare:
                name = spare.pop()
            else:  # very large scales: number the remaining ones after a random hutong name
                name = f"{HUTONG_NAMES[int(rng.integers(len(HUTONG_NAMES)))]}{len(taken) + len(chosen) + 1}"
            if name not in taken and name not in chosen:
                chosen.append(name)
        taken.update(chosen)
        result[DISTRICT_CODE + suffix] = [name + "社区" for name in chosen]
    return result


@demo_step("places", order=100, flush=("places.OrgUnit",))
def make_places(ctx: DemoContext) -> None:
    """District, streets, communities and grids with polygons and resident counts."""
    rng = ctx.rng("places")
    options = ctx.options
    district_shape = district_polygon(rng)
    ctx.district = _unit(ctx, Level.DISTRICT, DISTRICT_CODE, DISTRICT_NAME, None, district_shape)
    OrgUnit.objects.bulk_create([ctx.district])

    names = _community_names(ctx)
    streets = STREETS[: options.streets]
    street_shapes = tile(district_shape, len(streets), rng)
    ctx.streets = [
        _unit(ctx, Level.STREET, DISTRICT_CODE + suffix, name, ctx.district, shape)
        for (suffix, name, _), shape in zip(streets, street_shapes, strict=True)
    ]
    OrgUnit.objects.bulk_create(ctx.streets)

    for street in ctx.streets:
        shapes = tile(ctx.shapes[street.code], options.communities_per_street, rng)
        for i, (name, shape) in enumerate(zip(names[street.code], shapes, strict=True), start=1):
            ctx.communities.append(_unit(ctx, Level.COMMUNITY, f"{street.code}{i:03d}", name, street, shape))
    OrgUnit.objects.bulk_create(ctx.communities, batch_size=500)

    low, high = options.grids_per_community
    for community in ctx.communities:
        n = int(rng.integers(low, high + 1))
        shapes = tile(ctx.shapes[community.code], n, rng, lloyd=1)
        for i, shape in enumerate(shapes, start=1):
            grid = _unit(ctx, Level.GRID, f"{community.code}{i:03d}", f"{community.name}第{i}网格", community, shape)
            residents = int(np.clip(rng.normal(GRID_RESIDENTS_MEAN, GRID_RESIDENTS_SD), *GRID_RESIDENTS_RANGE))
            grid.resident_count = residents
            grid.household_count = round(residents / rng.uniform(*PERSONS_PER_HOUSEHOLD))
            ctx.grids.append(grid)
    OrgUnit.objects.bulk_create(ctx.grids, batch_size=500)

    # Parents count what their children count.
    levels = ((ctx.communities, ctx.grids), (ctx.streets, ctx.communities), ([ctx.district], ctx.streets))
    for parents, children in levels:
        totals = defaultdict(lambda: [0, 0])
        for child in children:
            totals[child.parent_id][0] += child.resident_count
            totals[child.parent_id][1] += child.household_count
        for parent in parents:
            parent.resident_count, parent.household_count = totals[parent.pk]
        OrgUnit.objects.bulk_update(parents, ["resident_count", "household_count"], batch_size=500)

    ctx.count(gettext("streets"), len(ctx.streets))
    ctx.count(gettext("communities"), len(ctx.communities))
    ctx.count(gettext("grids"), len(ctx.grids))
    ctx.count(gettext("residents"), ctx.district.resident_count)


@demo_step("departments", order=200, flush=("places.Department",))
def make_departments(ctx: DemoContext) -> None:
    """District departments, and each street's office as the fallback owner of its cases."""
    for key, suffix, name in DISTRICT_DEPARTMENTS:
        ctx.departments[key] = Department(code=f"{DISTRICT_CODE}-{suffix}", name=name, org_unit=ctx.district)
    for street in ctx.streets:
        ctx.street_offices[street.code] = Department(
            code=f"{street.code}-{STREET_OFFICE_SUFFIX}", name=f"{street.name}办事处", org_unit=street,
            is_territorial=True,
        )
    Department.objects.bulk_create([*ctx.departments.values(), *ctx.street_offices.values()])
    ctx.count(gettext("departments"), len(ctx.departments) + len(ctx.street_offices))


@demo_step("categories", order=300, flush=("cases.Category",))
def make_categories(ctx: DemoContext) -> None:
    """The event and component class trees, each class with its default department."""
    majors, minors = [], []
    for kind, tree in ((CategoryKind.EVENT, EVENT_CATEGORIES), (CategoryKind.COMPONENT, COMPONENT_CATEGORIES)):
        for code, name, key, children in tree:
            major = Category(kind=kind, code=code, name=name, default_department=ctx.departments[key])
            majors.append(major)
            for child_code, child_name, child_key in children:
                minors.append(Category(kind=kind, code=child_code, name=child_name, parent=major,
                                       default_department=ctx.departments[child_key]))
    Category.objects.bulk_create(majors)
    for minor in minors:
        minor.parent_id = minor.parent.pk
    Category.objects.bulk_create(minors)
    ctx.categories = {category.code: category for category in [*majors, *minors]}
    ctx.count(gettext("case categories"), len(minors))


@demo_step("users", order=400, flush=("accounts.User",))
def make_users(ctx: DemoContext) -> None:
    """Users of every role with sensible places and data scopes, and the named demo accounts."""
    rng = ctx.rng("users")
    names = ChineseNames(rng)
    password = ctx.password_hash()
    pending: list[tuple[User, list[OrgUnit]]] = []

    def add(username: str, role: str, org_unit: OrgUnit, scope: list[OrgUnit], department=None, **extra):
        last, first = names.full()
        user = User(username=username, password=password, role=role, full_name=last + first, last_name=last,
                    first_name=first, org_unit=org_unit, department=department, **extra)
        pending.append((user, scope))
        ctx.users[role].append(user)
        return user

    district = ctx.district
    first_street = ctx.streets[0]
    first_community = ctx.children(first_street)[0]
    first_grid = ctx.children(first_community)[0]
    named_department = ctx.departments[NAMED_HANDLER_DEPARTMENT]
    places = {"district": district, "street": first_street, "community": first_community, "grid": first_grid,
              "department": named_department.org_unit}
    for username, role, where in NAMED_ACCOUNTS:
        extra = {"is_staff": True, "is_superuser": True} if role == Role.ADMIN else {}
        department = named_department if where == "department" else None
        user = add(username, role, places[where], [places[where]], department, **extra)
        ctx.named[username] = user

    for i in range(3):  # district leaders, command centre and inspectors
        add(f"leader{DISTRICT_CODE}{i + 1:02d}", Role.LEADER, district, [district])
    for i in range(3):
        add(f"dispatch{DISTRICT_CODE}{i + 1:02d}", Role.DISPATCHER, district, [district])
    for i in range(2):
        add(f"inspect{DISTRICT_CODE}{i + 1:02d}", Role.INSPECTOR, district, [district])
    per_department = ctx.scaled(3)
    for department in ctx.departments.values():
        for i in range(per_department):
            add(f"handler-{department.code}-{i + 1:02d}".lower(), Role.HANDLER, district, [district], department)
    for street in ctx.streets:
        office = ctx.street_offices[street.code]
        add(f"leader{street.code}", Role.LEADER, street, [street])
        for i in range(2):
            add(f"dispatch{street.code}{i + 1:02d}", Role.DISPATCHER, street, [street])
            add(f"justice{street.code}{i + 1:02d}", Role.JUSTICE_OFFICER, street, [street])
            add(f"handler-{office.code}-{i + 1:02d}".lower(), Role.HANDLER, street, [street], office)
        for i in range(3):
            add(f"inspect{street.code}{i + 1:02d}", Role.INSPECTOR, street, [street])
            add(f"social{street.code}{i + 1:02d}", Role.SOCIAL_WORKER, street, [street])
    for community in ctx.communities:
        for i in range(3):
            add(f"staff{community.code}{i + 1:02d}", Role.COMMUNITY_STAFF, community, [community])
        add(f"mediator{community.code}", Role.MEDIATOR, community, [community])
        for i in range(5):
            add(f"volunteer{community.code}{i + 1:02d}", Role.VOLUNTEER, community, [community])
        for i in range(10):
            add(f"resident{community.code}{i + 1:02d}", Role.RESIDENT_USER, community, [community])
    for grid in ctx.grids:
        add(f"grid{grid.code}", Role.GRID_WORKER, grid, [grid])

    for user in ctx.named.values():
        validate_password(DEMO_PASSWORD, user)  # the documented password must pass the validators
    User.objects.bulk_create([user for user, _ in pending], batch_size=500)
    Scope = User.scope_units.through
    Scope.objects.bulk_create(
        [Scope(user_id=user.pk, orgunit_id=unit.pk) for user, scope in pending for unit in scope], batch_size=1000
    )
    ctx.count(gettext("users"), len(pending))


# --- Writing many rows --------------------------------------------------------------------------
def bulk_write(model, objs: list, batch_size: int = 2000) -> list:
    """``bulk_create`` for hundreds of thousands of rows: on PostgreSQL the rows go in with COPY
    (primary keys drawn from the table's sequence first and set on the objects, as bulk_create does),
    elsewhere through ``bulk_create``. Field values are prepared as the ORM would prepare them
    (``auto_now`` stamps, encrypted fields encrypted, JSON dumped); no signals, like bulk_create."""
    from django.db import connection
    from psycopg import sql

    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated]
    pk = opts.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [opts.db_table, pk.column, len(objs)])
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = value
            obj._state.adding, obj._state.db = False, connection.alias

    # How each column's value is taken from an object: as it is for the types psycopg adapts the
    # way the ORM would, else through the field's own preparation (encryption, JSON...).
    plain = {"AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "IntegerField",
             "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
             "PositiveBigIntegerField", "BooleanField", "DateField", "FloatField", "ForeignKey", "OneToOneField",
             "EmailField"}
    getters = []
    now = timezone.now()
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if stamped:  # what pre_save() does on adding, with one clock reading for all the rows
            value = now if f.get_internal_type() == "DateTimeField" else now.date()
            prepared = f.get_db_prep_save(value, connection)

            def stamp(obj, name=f.attname, value=value, prepared=prepared):
                setattr(obj, name, value)
                return prepared

            getters.append(stamp)
        elif type(f).__name__ in plain and f.get_internal_type() in plain:
            getters.append(lambda obj, name=f.attname: getattr(obj, name))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(getattr(obj, f.attname), connection))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(opts.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields))
    with connection.cursor() as wrapper, wrapper.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row([get(obj) for get in getters])
    return objs


# --- Running ------------------------------------------------------------------------------------
def has_places() -> bool:
    return OrgUnit.objects.exists()


def flush_demo(steps: list[DemoStep] | None = None, log: Callable[[str], None] = lambda message: None) -> None:
    """Delete what the steps fill, latest step first (children before parents in a tree)."""
    from auditlog.context import disable_auditlog

    steps = discover_steps() if steps is None else steps
    with disable_auditlog(), transaction.atomic():
        for step in reversed(steps):
            for label in step.flush:
                model = apps.get_model(label)
                deleted = _delete_all(model)
                log(gettext("deleted %(count)s %(what)s") % {"count": deleted, "what": model._meta.verbose_name_plural})


def _delete_all(model) -> int:
    """Delete every row of ``model`` (children before parents in the place and category trees)."""
    label = model._meta.label
    if model is OrgUnit:
        batches = [OrgUnit.objects.filter(level=level) for level in reversed(Level.values)]
    elif model is Category:
        batches = [Category.objects.filter(parent__isnull=False), Category.objects.all()]
    else:
        batches = [model.objects.all()]
    return sum(batch.delete()[1].get(label, 0) for batch in batches)


def build_demo(
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    *,
    streets: int = DEFAULT_STREETS,
    communities_per_street: int | None = None,
    grids_per_community: tuple[int, int] = GRIDS_PER_COMMUNITY,
    flush: bool = False,
    through: str | None = None,
    log: Callable[[str], None] = lambda message: None,
    on_step: Callable[[str, float], None] = lambda name, seconds: None,
) -> DemoContext:
    """Build the demo district into the database (one transaction) and return what was made; ``through``
    names the last step to run (a test of one app's step needs only the steps before it). ``on_step``
    is called after each step with its name and seconds (also kept in ``ctx.timings``)."""
    options = DemoOptions(seed=seed, scale=scale, streets=streets, communities_per_street=communities_per_street,
                          grids_per_community=grids_per_community)
    steps = discover_steps()
    if through is not None:
        last = next(step.order for step in steps if step.name == through)
        steps = [step for step in steps if step.order <= last]
    ctx = DemoContext(options=options, log=log)
    with transaction.atomic():
        if flush:
            flush_demo(steps, log)
        for step in steps:
            started = time.perf_counter()
            log(f"{step.name}…")
            step.func(ctx)
            ctx.timings[step.name] = time.perf_counter() - started
            on_step(step.name, ctx.timings[step.name])
    bump_geometry_version()
    return ctx


def fingerprint() -> list[tuple]:
    """What the demo made, in a comparable form (for checking that a seed gives the same result)."""
    places = list(OrgUnit.objects.order_by("code").values_list(
        "code", "name", "level", "path", "resident_count", "household_count", "geometry", "centroid_lon", "centroid_lat"
    ))
    departments = list(Department.objects.order_by("code").values_list("code", "name", "org_unit__code"))
    categories = list(Category.objects.order_by("code").values_list(
        "code", "kind", "name", "parent__code", "default_department__code"
    ))
    users = list(User.objects.order_by("username").values_list(
        "username", "full_name", "role", "org_unit__code", "department__code", "is_superuser"
    ))
    scopes = sorted(User.scope_units.through.objects.values_list("user__username", "orgunit__code"))
    return [*places, *departments, *categories, *users, *scopes]
