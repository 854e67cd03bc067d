"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""


def adviser_of(w):
    """The legal adviser of community B, appointed by its staff (one per test)."""
    from datetime import date

    from legal.actions import appoint_adviser
    from legal.models import Adviser

    found = Adviser.objects.filter(place=w.community_b).first()
    return found or appoint_adviser(place=w.community_b, name="银闸律师", firm="银闸律师事务所", phone="13800001111",
                                    since=date(2026, 1, 1), actor=w.users["staff_b"])


def service_of(w):
    from datetime import date

    from legal.actions import log_service

    adviser = adviser_of(w)
    return adviser.services.first() or log_service(adviser, w.users["staff_b"], date=date(2026, 1, 5),
                                                   kind="consultation", subject="银闸居民咨询")


def referral_of(w):
    from legal.actions import refer_aid
    from legal.models import AidReferral

    return AidReferral.objects.filter(place=w.grid_b).first() or refer_aid(
        place=w.grid_b, applicant_name="银闸工人", id_number="110101199003071233", matter_kind="unpaid_wages",
        matter="拖欠工资", referred_to="东城区法律援助中心", actor=w.users["staff_b"])


OBJECT_ROUTES = {
    "legal:adviser": lambda w: {"pk": adviser_of(w).pk},
    "legal:adviser_log": lambda w: {"pk": adviser_of(w).pk},
    "legal:adviser_end": lambda w: {"pk": adviser_of(w).pk},
    "legal:aid": lambda w: {"pk": referral_of(w).pk},
    "legal:aid_update": lambda w: {"pk": referral_of(w).pk},
    "adviser-detail": lambda w: {"pk": adviser_of(w).pk},
    "legalservice-detail": lambda w: {"pk": service_of(w).pk},
    "aidreferral-detail": lambda w: {"pk": referral_of(w).pk},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
