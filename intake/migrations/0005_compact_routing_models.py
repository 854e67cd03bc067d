"""Stored routers in their compact form (intake/predictor.py): the task worker then predicts without
importing scikit-learn. Versions the compact form does not cover keep their joblib blob (both load)."""

from django.db import migrations


def compact(apps, schema_editor):
    RoutingModel = apps.get_model("intake", "RoutingModel")
    from intake.predictor import Predictor

    for pk, blob in RoutingModel.objects.values_list("pk", "blob").iterator(chunk_size=1):
        if Predictor.is_stored_form(blob):
            continue
        from intake.routing import Router

        try:
            stored = Predictor.from_router(Router.loads(blob)).dumps()
        except (ValueError, TypeError):
            continue
        RoutingModel.objects.filter(pk=pk).update(blob=stored)


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_casesuggestion")]

    operations = [migrations.RunPython(compact, migrations.RunPython.noop, elidable=True)]
