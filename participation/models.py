"""Deliberation (议事协商), surveys (民意调查) and the community fund (社区基金).

- ``Proposal``: a public matter of a community (or of one building in it), raised by a resident, the
  community or a social organisation, admitted, discussed (``Comment``), put to a vote among the eligible
  residents (``Vote``: one per resident, secret or open), decided, published and followed through
  (``ProposalUpdate``); every status change is a ``ProposalEvent``. Who may vote: ``eligibility.py``.
- ``Survey``: a questionnaire to the residents of a place (``Question``), one ``Response`` per resident
  with its ``Answer`` rows; anonymous surveys never show who answered.
- ``FundEntry``: the community fund's public ledger, money in and out; money out is spent on what a
  deliberation decided (``proposal``).

Every record lies at a place (``places.models.AtPlace``), so the data scope filters it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import StatusEvent
from places.models import AtPlace


# --- Deliberation -------------------------------------------------------------------------------
class ProposerKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    COMMUNITY = "community", _("Community committee")
    SOCIAL_ORG = "social_org", _("Social organisation")


class ProposalScope(models.TextChoices):
    COMMUNITY = "community", _("Whole community")
    BUILDING = "building", _("One building")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    DISCUSSING = "discussing", _("In discussion")
    VOTING = "voting", _("Voting")
    DECIDED = "decided", pgettext_lazy("proposal status", "Decided")
    IMPLEMENTING = "implementing", _("Being carried out")
    DONE = "done", pgettext_lazy("proposal status", "Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VoteOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")


class VoteChoice(models.TextChoices):
    YES = "yes", _("For")
    NO = "no", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Proposal(AtPlace):
    """A public matter put to the residents of a community (``place``) or of one building in it.

    The vote: ``quorum`` is the share of the eligible voters who must vote (at least), ``threshold`` the
    share of the votes cast (abstentions count as cast) that must be "for" (more than). At closing the
    eligible count and the counts of each choice are kept here, so the result does not move when
    residents move in or out afterwards."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("the matter"))
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    proposer_kind = models.CharField(_("proposed by"), max_length=16, choices=ProposerKind.choices,
                                     default=ProposerKind.RESIDENT)
    scope_kind = models.CharField(_("who decides"), max_length=16, choices=ProposalScope.choices,
                                  default=ProposalScope.COMMUNITY)
    building = models.CharField(_("building"), max_length=40, blank=True,
                                help_text=_("As written in the standard addresses, e.g. 3号楼."))
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED, db_index=True)
    status_note = models.TextField(_("reason"), blank=True)
    # The vote.
    secret = models.BooleanField(_("secret vote"), default=True)
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    quorum = models.DecimalField(_("quorum"), max_digits=3, decimal_places=2, default=Decimal("0.50"),
                                 help_text=_("Share of the eligible voters who must vote (0.5 = half)."))
    threshold = models.DecimalField(_("threshold"), max_digits=3, decimal_places=2, default=Decimal("0.50"),
                                    help_text=_("Share of the votes cast that must be “for” (more than)."))
    eligible_count = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    yes_count = models.PositiveIntegerField(_("for"), null=True, blank=True)
    no_count = models.PositiveIntegerField(_("against"), null=True, blank=True)
    abstain_count = models.PositiveIntegerField(_("abstained"), null=True, blank=True)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VoteOutcome.choices, blank=True)
    # The decision and what became of it.
    decision = models.TextField(_("decision"), blank=True)
    decision_published_at = models.DateTimeField(_("decision published"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="proposals")

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="proposal_path_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def votes_cast(self) -> int | None:
        if self.yes_count is None:
            return None
        return self.yes_count + self.no_count + self.abstain_count

    @property
    def turnout(self) -> float | None:
        """Votes cast / eligible voters at closing (``None`` before closing)."""
        if self.eligible_count is None:
            return None
        return (self.votes_cast / self.eligible_count) if self.eligible_count else 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == VoteOutcome.PASSED


class Comment(models.Model):
    """One contribution to the discussion of a proposal; staff may hide it (with the reason shown)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.proposal_id} {self.at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    """One resident's vote on a proposal: one per resident, enforced by the database (and never changed).

    For a secret vote the row still names the voter, only so the database can refuse a second vote;
    no page, list or API ever shows who voted what on a secret vote, only the counts after closing."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="vote_one_per_resident")]

    def __str__(self):
        return f"{self.proposal_id} #{self.pk}"


class ProposalUpdate(models.Model):
    """A step in carrying out a decision: what was done, how far along."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    note = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.proposal_id} {self.date} {self.percent}%"


class ProposalEvent(StatusEvent):
    """Every change of a proposal: who, when, from which status to which, why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")


# --- Surveys ------------------------------------------------------------------------------------
class SurveyTarget(models.TextChoices):
    PLACE = "place", _("All residents of the place")
    BUILDING = "building", _("One building")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    TEXT = "text", _("Free text")


SCALE_MIN, SCALE_MAX = 1, 5


class Survey(AtPlace):
    """A questionnaire to the residents of a place (a street, a community) or one building of it.

    A survey of a street is seen (read-only) by the communities under it: ``scope_ancestors``."""

    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True,
                                    help_text=_("Nobody sees who answered what."))
    target = models.CharField(_("addressed to"), max_length=16, choices=SurveyTarget.choices,
                              default=SurveyTarget.PLACE)
    building = models.CharField(_("building"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")

    scope_ancestors = True

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.title


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order", "id"]

    def __str__(self):
        return self.text


class Response(models.Model):
    """One resident's answers to a survey: one per resident (a database constraint). For an anonymous
    survey ``respondent`` is kept only to refuse a second answer and is never shown; the answers
    themselves name nobody. ``path`` is the respondent's grid (for results and scores by place)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="response_one_per_resident")]

    def __str__(self):
        return f"{self.survey_id} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")]

    def __str__(self):
        return f"{self.question_id}: {self.value}"


# --- Community fund -----------------------------------------------------------------------------
class FundDirection(models.TextChoices):
    IN = "in", _("Money in")
    OUT = "out", _("Money out")


class FundKind(models.TextChoices):
    ALLOCATION = "allocation", _("Street allocation")
    DONATION = "donation", _("Donation")
    SPONSORSHIP = "sponsorship", _("Sponsorship")
    INTEREST = "interest", _("Interest")
    SPENDING = "spending", _("Spending")
    FEE = "fee", _("Bank fee")


KIND_DIRECTION = {
    FundKind.ALLOCATION: FundDirection.IN, FundKind.DONATION: FundDirection.IN,
    FundKind.SPONSORSHIP: FundDirection.IN, FundKind.INTEREST: FundDirection.IN,
    FundKind.SPENDING: FundDirection.OUT, FundKind.FEE: FundDirection.OUT,
}


class FundEntry(AtPlace):
    """One line of a community fund's public ledger (``place`` is the community). Money out spends what a
    deliberation decided (``proposal``), except bank fees; it can never overdraw the fund."""

    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=8, choices=FundDirection.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=FundKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    counterparty = models.CharField(_("from / to"), max_length=100, blank=True,
                                    help_text=_("Leave empty for an anonymous donor."))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    proposal = models.ForeignKey(Proposal, verbose_name=_("decided by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="fund_entries")
    voucher = models.CharField(_("voucher number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fundentry_amount_positive")]

    def __str__(self):
        return f"{self.date} {self.direction} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.direction == FundDirection.IN else -self.amount
