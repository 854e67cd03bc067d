"""Forms of the deliberation, survey and fund pages. They check input only; the rules are in actions.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_q
from core.widgets import DateInput, DateTimeInput
from places.models import Level, OrgUnit

from .models import (
    FundKind,
    Proposal,
    ProposalScope,
    ProposalStatus,
    ProposerKind,
    QuestionKind,
    SurveyTarget,
    VoteChoice,
)


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *ProposalStatus.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=60)


class ProposeForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("The matter"), widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("What is the problem, what do you propose, what would it cost?"))
    scope_kind = forms.ChoiceField(label=_("Who decides"), choices=ProposalScope.choices,
                                   initial=ProposalScope.COMMUNITY, widget=forms.RadioSelect)
    building = forms.CharField(label=_("Building"), max_length=40, required=False,
                               help_text=_("Only for a matter of one building, e.g. 3号楼."))
    proposer_kind = forms.ChoiceField(label=_("Proposed by"), choices=ProposerKind.choices,
                                      initial=ProposerKind.COMMUNITY)

    def __init__(self, *args, communities, is_staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if communities.count() == 1:
            self.fields["community"].initial = communities.first().pk
        if not is_staff:
            del self.fields["proposer_kind"]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=VoteChoice.choices, widget=forms.RadioSelect)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OpenVoteForm(forms.Form):
    secret = forms.BooleanField(label=_("Secret vote (nobody sees who voted what)"), required=False, initial=True)
    opens_at = forms.DateTimeField(label=_("Voting opens"), required=False, widget=DateTimeInput,
                                   help_text=_("Empty: now."))
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput)
    quorum = forms.DecimalField(label=_("Quorum"), min_value=0, max_value=1, decimal_places=2,
                                initial=Decimal("0.50"),
                                help_text=_("Share of the eligible voters who must vote (0.5 = half)."))
    threshold = forms.DecimalField(label=_("Threshold"), min_value=0, max_value=1, decimal_places=2,
                                   initial=Decimal("0.50"),
                                   help_text=_("Share of the votes cast that must be “for” (more than)."))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 5}))


class UpdateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100, initial=0)


class ReferForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none(), required=False,
                                  help_text=_("Empty: the community's first grid."))
    description = forms.CharField(label=_("What the department must do"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, proposal: Proposal, **kwargs):
        from cases.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True, parent__isnull=False)
        self.fields["grid"].queryset = OrgUnit.objects.filter(level=Level.GRID, path__startswith=proposal.path)


class HideCommentForm(forms.Form):
    comment = forms.ModelChoiceField(label=_("Comment"), queryset=None)
    note = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].queryset = proposal.comments.filter(hidden_by__isnull=True)
        self.fields["comment"].label_from_instance = lambda c: f"#{c.pk} {c.body[:40]}"


class SurveyForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False, initial=True)
    target = forms.ChoiceField(label=_("Addressed to"), choices=SurveyTarget.choices, initial=SurveyTarget.PLACE)
    building = forms.CharField(label=_("Building"), max_length=40, required=False)
    opens_at = forms.DateTimeField(label=_("Opens"), required=False, widget=DateTimeInput)
    closes_at = forms.DateTimeField(label=_("Closes"), required=False, widget=DateTimeInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = OrgUnit.objects.filter(
            scope_q(user, "path"), level__in=[Level.STREET, Level.COMMUNITY])


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One per line (single and multiple choice)."))
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


class FundEntryForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=12,
                                decimal_places=2)
    counterparty = forms.CharField(label=_("From / to"), max_length=100, required=False,
                                   help_text=_("Leave empty for an anonymous donor."))
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    proposal = forms.ModelChoiceField(label=_("Decided by"), queryset=Proposal.objects.none(), required=False,
                                      help_text=_("The passed deliberation this spending carries out."))
    voucher = forms.CharField(label=_("Voucher number"), max_length=40, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = Proposal.objects.filter(place=community, outcome="passed")
