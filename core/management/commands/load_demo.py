"""Fill the database with the demo district (see ``core.demo``)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core import demo
from core.management.commands.demo_accounts import display_width, pad


class Command(BaseCommand):
    help = (
        "Build the demo district over Beijing's Dongcheng district: places with polygons, departments, "
        "case categories and users of every role (the named demo accounts share one password, see "
        "demo_accounts). The same --seed always gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiplies communities, grids, users and other records (default 1: about 600 grids)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has places")
        parser.add_argument("--flush", action="store_true",
                            help="first delete all places, departments, case categories and users "
                                 "(and the records of every other demo step)")
        parser.add_argument("--streets", type=int, default=demo.DEFAULT_STREETS,
                            help=f"number of streets, 1-{len(demo.STREETS)} (default %(default)s)")
        parser.add_argument("--communities", type=int, default=None,
                            help="communities per street (default 10 x scale)")
        steps = ", ".join(step.name for step in demo.discover_steps())
        parser.add_argument("--through", default=None, metavar="STEP",
                            help=f"stop after this step (steps in order: {steps})")

    def handle(self, *args, seed, scale, if_empty, flush, streets, communities, through, verbosity, **options):
        if if_empty and flush:
            raise CommandError(_("--if-empty and --flush contradict each other: use one of them."))
        if through is not None and through not in {step.name for step in demo.discover_steps()}:
            raise CommandError(_("No demo step named %(name)s.") % {"name": through})
        try:
            demo.DemoOptions(seed=seed, scale=scale, streets=streets, communities_per_street=communities)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if demo.has_places():
            if if_empty:
                self.stdout.write(_("The database already has places: demo data not loaded (--if-empty)."))
                return
            if not flush:
                raise CommandError(_(
                    "The database already has places. Use --flush to replace everything with the demo data, "
                    "or --if-empty to leave it as it is."
                ))
        log = self.stdout.write if verbosity >= 2 else (lambda message: None)

        def on_step(name: str, seconds: float) -> None:
            if verbosity >= 1:
                self.stdout.write(_("step %(name)s: %(seconds).1f s") % {"name": name, "seconds": seconds})
                self.stdout.flush()

        started = time.perf_counter()
        try:
            ctx = demo.build_demo(seed=seed, scale=scale, streets=streets, communities_per_street=communities,
                                  flush=flush, through=through, log=log, on_step=on_step)
        except ProtectedError as exc:
            raise CommandError(_(
                "Cannot flush: other records still refer to places, departments or users (%(detail)s). "
                "Delete them first or start from an empty database."
            ) % {"detail": exc.args[0]}) from exc
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                _("Demo district loaded in %(seconds).1f s (seed %(seed)s, scale %(scale)s):")
                % {"seconds": time.perf_counter() - started, "seed": seed, "scale": f"{scale:g}"}
            ))
            width = max(display_width(label) for label in ctx.counts)
            for label, n in ctx.counts.items():
                self.stdout.write(f"  {pad(label, width)}  {n:>9,}")
            self.stdout.write(_("Demo accounts and their password: manage.py demo_accounts"))
