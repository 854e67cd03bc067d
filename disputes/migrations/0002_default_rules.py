from django.db import migrations

START = {"minor": "grid", "general": "community", "major": "street", "difficult": "street"}
DAYS = {"grid": 7, "community": 15, "street": 30, "county": 30}


def seed(apps, schema_editor):
    GradeRule = apps.get_model("disputes", "GradeRule")
    TierRule = apps.get_model("disputes", "TierRule")
    for grade, tier in START.items():
        GradeRule.objects.get_or_create(grade=grade, defaults={"start_tier": tier})
    for tier, days in DAYS.items():
        TierRule.objects.get_or_create(tier=tier, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
