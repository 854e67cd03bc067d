"""Who may vote on a proposal and answer a survey: the one definition, used by the actions, the pages,
the API and the figures.

An eligible voter of a community is an active account linked to a verified resident record
(``people.Resident.account``, 实名) of a person living there (status "present") whose grid lies in the
community. For a building-scoped proposal, the resident's house must also be at an address of that
building (``Address.building``) in the community. Staff accounts are not voters unless they are linked
to a resident record themselves.
"""

from __future__ import annotations

from accounts.models import User
from people.models import ResidentStatus


def residents_of(path: str, building: str = ""):
    """Active users who are verified residents living under the place at ``path`` (in ``building`` of
    it, if given)."""
    users = User.objects.filter(is_active=True, resident_record__status=ResidentStatus.PRESENT,
                                resident_record__path__startswith=path)
    if building:
        users = users.filter(resident_record__house__address__building=building,
                             resident_record__house__address__path__startswith=path)
    return users


def eligible_voters(proposal):
    """The users who may vote on ``proposal`` (a queryset)."""
    from .models import ProposalScope

    building = proposal.building if proposal.scope_kind == ProposalScope.BUILDING else ""
    return residents_of(proposal.path, building)


def is_eligible(user, proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return eligible_voters(proposal).filter(pk=user.pk).exists()


def eligible_respondents(survey):
    """The users who may answer ``survey`` (residents of its place, or of its building)."""
    from .models import SurveyTarget

    building = survey.building if survey.target == SurveyTarget.BUILDING else ""
    return residents_of(survey.path, building)


def may_answer(user, survey) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return eligible_respondents(survey).filter(pk=user.pk).exists()


def is_resident_of(user, path: str) -> bool:
    """Is the user a verified resident living under the place at ``path``?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return residents_of(path).filter(pk=user.pk).exists()
