"""Synthetic Chinese reports for the routing tests: each sentence combines several phrase lists."""

import random

PLACES = ["幸福小区", "东华门街道", "多福巷", "银闸社区", "人民路口", "火车站附近", "实验小学旁", "新村三期",
          "滨河公园", "农贸市场", "建设大道", "老城区", "工业园", "金桥花园"]
OPENINGS = ["您好，", "尊敬的领导：", "我是附近居民，", "反映一个问题，", "", "麻烦相关部门看一下，", "多次反映无果，"]
CLOSINGS = ["希望尽快处理。", "请有关部门督促解决。", "谢谢！", "", "已经持续很久了。", "周边居民意见很大。"]
TIMES = ["最近一个月", "每天晚上", "从去年开始", "上周起", "长期以来", "近几天"]

CLASSES = {
    "环境": (["工厂", "搅拌站", "餐馆油烟", "垃圾站", "养殖场", "化工企业"],
             ["排放污水", "噪音扰民", "空气污染严重", "偷排废气", "臭味刺鼻", "粉尘很大"]),
    "交通": (["公交车", "出租车", "红绿灯", "停车场", "公交站台", "道路标线"],
             ["线路取消", "拒载绕路", "故障不亮", "乱收停车费", "班次太少", "严重拥堵"]),
    "教育": (["幼儿园", "中学", "培训机构", "小学老师", "学区划分", "校车"],
             ["乱收补课费", "入学难", "违规招生", "体罚学生", "教师工资拖欠", "课业负担重"]),
    "医疗": (["医院", "卫生院", "药店", "医保报销", "疫苗接种点", "诊所"],
             ["看病贵", "乱开药", "报销比例低", "医生态度差", "无证行医", "收费不透明"]),
    "社保": (["公司", "工地老板", "养老保险", "失业金", "劳动合同", "社保卡"],
             ["拖欠工资", "不缴社保", "退休待遇低", "无法领取", "不签合同", "补缴困难"]),
    "住房": (["物业公司", "开发商", "小区电梯", "公租房", "拆迁安置", "房产证"],
             ["乱收物业费", "延期交房", "经常故障", "分配不公", "补偿不到位", "迟迟办不下来"]),
}


def make_rows(per_class: int = 30, seed: int = 7) -> list[tuple[str, str, str]]:
    """(title, text, label) rows, ``per_class`` of each class, shuffled."""
    rng = random.Random(seed)
    rows = []
    for label, (subjects, problems) in CLASSES.items():
        for _ in range(per_class):
            subject, problem, place = rng.choice(subjects), rng.choice(problems), rng.choice(PLACES)
            other_subject, other_problem = rng.choice(subjects), rng.choice(problems)
            title = rng.choice([f"{place}{subject}{problem}", f"关于{subject}{problem}的问题", f"{subject}{problem}"])
            body = rng.choice([
                f"{rng.choice(OPENINGS)}{place}的{subject}{rng.choice(TIMES)}{problem}，{other_subject}也{other_problem}。",
                f"{rng.choice(OPENINGS)}{rng.choice(TIMES)}，{place}{subject}{problem}，{rng.choice(CLOSINGS)}",
                f"{place}这边{other_subject}{other_problem}，{subject}{problem}，{rng.choice(CLOSINGS)}",
            ])
            rows.append((title, body, label))
    rng.shuffle(rows)
    return rows
