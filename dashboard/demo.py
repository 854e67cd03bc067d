"""Demo step: the roll-up of the demo district's case figures, after every step that adds cases."""

from django.utils.translation import gettext

from core.demo import DemoContext, demo_step

from . import rollup


@demo_step("dashboard", order=990, flush=("dashboard.CaseDayFigures", "dashboard.RollupState"))
def make_rollup(ctx: DemoContext) -> None:
    ctx.count(gettext("rows of daily case figures"), rollup.rebuild())
