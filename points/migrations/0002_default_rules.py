from django.db import migrations

# code, name (zh-hans: the rules are data an administrator edits), points, per hour
RULES = [
    ("service_hour", "志愿服务（每小时）", 10, True),
    ("wish_fulfilled", "认领并实现微心愿", 20, False),
    ("good_deed", "好人好事", 5, False),
    ("hazard_report", "报告安全隐患", 5, False),
    ("proposal", "提出议事议题", 5, False),
    ("vote", "参加议事表决", 2, False),
    ("survey", "参加民意调查", 2, False),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("points", "Rule")
    for code, name, points, per_hour in RULES:
        Rule.objects.get_or_create(code=code, defaults={"name": name, "points": points, "per_hour": per_hour})


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
