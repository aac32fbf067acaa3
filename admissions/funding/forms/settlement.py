"""The form of approving a term's cost settlement. It parses input; the rules (who approves,
unpriced lines, figures that changed) live in admissions.funding.services, whose
ValidationErrors the view puts back here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApprovalForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Saved with the approved version, with your name and the time."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    # The digest of the figures the page showed (settlement_digest); the template writes the
    # live one, so a refused form shows the figures it will approve next.
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
