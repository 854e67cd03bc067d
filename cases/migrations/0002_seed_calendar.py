from django.db import migrations


def seed(apps, schema_editor):
    from cases.worktime import seed_from_package

    seed_from_package(apps.get_model("cases", "CalendarDay"), apps.get_model("cases", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
