"""Train a new version of the router from the deployment's closed cases (on demand, or from cron).

    manage.py train_router                      # both kinds
    manage.py train_router --kind department    # one kind

A new version becomes active unless the active version scored better in cross-validation.
"""

from django.core.management.base import BaseCommand, CommandError

from intake.actions import RoutingError, train_each
from intake.models import RoutingKind


class Command(BaseCommand):
    help = "Train the routing model(s) from closed cases and keep the better version active."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=RoutingKind.values, help="category or department (default: both)")

    def handle(self, *args, **options):
        kinds = [options["kind"]] if options["kind"] else list(RoutingKind.values)
        failed = []
        for kind, model in train_each(kinds):
            if isinstance(model, RoutingError):
                self.stderr.write(f"{kind}: {model.message}")
                failed.append(kind)
                continue
            state = "active" if model.is_active else "kept inactive (the active version scores better)"
            metrics = model.metrics
            self.stdout.write(f"{kind}: version {model.version} on {model.trained_on} cases, "
                              f"{len(model.labels)} labels, cv accuracy {metrics['cv_accuracy']:.4f}, "
                              f"cv macro-F1 {metrics['cv_macro_f1']:.4f}: {state}")
        if failed and len(failed) == len(kinds):
            raise CommandError("nothing trained")
