"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""


def decision_of(w):
    """A major decision at community B, registered by its staff (one per test)."""
    from stability.actions import register_decision
    from stability.models import Decision

    found = Decision.objects.filter(place=w.community_b).first()
    if found:
        return found.pk
    return register_decision(place=w.community_b, title="银闸胡同修缮搬迁", kind="relocation", affected_count=40,
                             sponsor_name="银闸社区居委会", actor=w.users["staff_b"]).pk


def _pk(w):
    return {"pk": decision_of(w)}


OBJECT_ROUTES = {
    **{f"stability:{name}": _pk for name in ("detail", "consult", "assess", "decide", "revise", "issue",
                                             "follow_up", "close")},
    "decision-detail": _pk,
    "decision-consultations": _pk,
    "decision-decide": _pk,
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
