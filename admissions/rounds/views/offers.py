"""The applicant's answer to an offer: accept; decline and keep waiting for higher choices; or
decline and withdraw the whole application (confirmed). Only the application's own applicant
reaches an offer; anyone else gets the 404 of a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from admissions.rounds.forms import OfferAnswerForm
from admissions.rounds.selectors import get_own_offer_for
from admissions.rounds.services import rounds

DONE_MESSAGES = {
    "accepted": _("You have accepted the seat."),
    "declined": _("You have declined the seat. You stay on the waiting lists of higher choices."),
    "withdrawn": _("You have declined the seat and withdrawn your application."),
}


@role_required(Role.APPLICANT)
@never_cache
@require_http_methods(["GET", "POST"])
def offer_answer(request, pk: int):
    offer = get_own_offer_for(request, pk)
    is_open = rounds.offer_is_open(offer)
    form = OfferAnswerForm(request.POST or None, initial={"answer": request.GET.get("answer")})
    if request.method == "POST" and is_open and form.is_valid():
        kind = form.cleaned_data["answer"]
        try:
            rounds.offer_answer(acting_user=request.user, offer=offer, kind=kind)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, str(DONE_MESSAGES[kind]))
            return redirect("admissions:application_detail", pk=offer.application_id)
    return render(
        request,
        "admissions/offers/answer.html",
        {"offer": offer, "form": form, "is_open": is_open},
    )
