"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from disputes.tests.probes import campaign_of, committee_of, dispute_of


def agreed_dispute_of(world) -> int:
    """The community-B dispute with its agreement (for the document downloads)."""
    from django.utils import timezone

    from disputes.actions import record_agreement
    from disputes.models import Dispute

    dispute = Dispute.objects.get(pk=dispute_of(world))
    if not hasattr(dispute, "agreement"):
        record_agreement(dispute, world.users["staff_b"], matters="银闸 漏水", terms="赔偿",
                         signed_on=timezone.localdate())
    return dispute.pk


OBJECT_ROUTES = {
    # Pages
    "disputes:detail": lambda w: {"pk": dispute_of(w)},
    "disputes:action": lambda w: {"pk": dispute_of(w), "name": "session"},
    "disputes:agreement": lambda w: {"pk": agreed_dispute_of(w), "fmt": "docx"},
    "disputes:record": lambda w: {"pk": dispute_of(w), "fmt": "pdf"},
    "disputes:campaign": lambda w: {"pk": campaign_of(w)},
    "disputes:campaign-report": lambda w: {"pk": campaign_of(w)},
    "disputes:committee": lambda w: {"pk": committee_of(w)},
    # API
    "dispute-detail": lambda w: {"pk": dispute_of(w)},
    "dispute-escalate": lambda w: {"pk": dispute_of(w)},
    "dispute-session": lambda w: {"pk": dispute_of(w)},
    "dispute-agreement": lambda w: {"pk": dispute_of(w)},
    "dispute-end": lambda w: {"pk": dispute_of(w)},
    "dispute-follow-up": lambda w: {"pk": dispute_of(w)},
    "committee-detail": lambda w: {"pk": committee_of(w)},
    "campaign-detail": lambda w: {"pk": campaign_of(w)},
    "campaign-report": lambda w: {"pk": campaign_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
