"""Certificates: a case's certificates, issuing and revoking one (the validation centre's
staff), downloading one (the person and the centre's staff), and the public page that tells
whether a verification code is genuine.

The public page shows only whether the certificate is genuine and, if so, the name, the
standard and the date of issue (and of revocation, if revoked: never why or by whom). It looks
only among the certificates of the region whose host it is asked on. Verification codes are
never logged: the audit entry of a check names the certificate, not the code.

Rate limit (Django's cache, no dependency): after VALIDATION_VERIFY_FAILURES failed checks
(default 20) from one client address within VALIDATION_VERIFY_WINDOW seconds (default 900) the
page refuses further checks from that address (429) until the window has passed. Behind a
reverse proxy every client has the proxy's address, so the limit is then shared: set the
failures allowed accordingly."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from validation import certificate_services
from validation.case_summaries import in_language
from validation.certificates import (
    CERTIFICATE_STAFF,
    LANGUAGES,
    certificate_for_code,
    certificates_for_download,
    download_name,
)
from validation.models import CaseStatus, Certificate, ValidationCase

LANGUAGE_CHOICES = [("sv", "Svenska"), ("en", "English")]


class CertificateIssueForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the certificate"), choices=LANGUAGE_CHOICES
    )


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the certificate revoked?"),
        help_text=gettext_lazy(
            "Kept with the certificate for the validation centre. The public check shows only "
            "that it is revoked and when."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _revoke_prefix(certificate) -> str:
    # One form per certificate on the page: the prefix keeps their fields' ids apart.
    return f"revoke-{certificate.pk}"


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        help_text=gettext_lazy("As printed on the certificate, for example K7QM-2X9P-HJ4T-W8NC."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


# --- the case's certificates -------------------------------------------------------------------


def _case_for(request, pk: int) -> ValidationCase:
    return get_scoped_or_404(
        ValidationCase.objects.visible_to(request.membership).select_related("standard"), pk=pk
    )


def _render_case_certificates(request, case, *, form=None, revoke_form=None, status=200):
    """`revoke_form` is a bound form that failed; its certificate shows it with the input kept,
    the others an empty one."""
    template = "validation/certificates/case_certificates.html"
    if request.htmx:
        template += "#certificates"
    language = case.language if case.language in LANGUAGES else "sv"
    can_revoke = request.membership.role == Role.ASSESSOR
    certificates = case.certificates.select_related("issued_by", "revoked_by").order_by("-version")
    rows = []
    for certificate in certificates:
        row_form = None
        if can_revoke and certificate.revoked_at is None:
            prefix = _revoke_prefix(certificate)
            if revoke_form is not None and revoke_form.prefix == prefix:
                row_form = revoke_form
            else:
                row_form = CertificateRevokeForm(prefix=prefix)
        rows.append({"certificate": certificate, "revoke_form": row_form})
    return render(
        request,
        template,
        {
            "case": case,
            "standard_name": in_language(case.standard, translation.get_language()),
            "rows": rows,
            "revoke_form": revoke_form,
            "form": form or CertificateIssueForm(initial={"language": language}),
            "can_issue": request.membership.role == Role.ASSESSOR
            and case.status == CaseStatus.DECIDED,
        },
        status=status,
    )


@role_required(*CERTIFICATE_STAFF)
@require_GET
def case_certificates(request, pk: int):
    """The case's certificates with the form to issue one; as an htmx fragment on the case's
    page, or a page of its own."""
    return _render_case_certificates(request, _case_for(request, pk))


@role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def certificate_issue(request, pk: int):
    case = _case_for(request, pk)
    target = reverse("validation:case_certificates", args=[case.pk])
    if request.method == "GET":
        return redirect(target)
    form = CertificateIssueForm(request.POST)
    if form.is_valid():
        try:
            certificate = certificate_services.certificate_issue(
                acting_user=request.user,
                case=case,
                language=form.cleaned_data["language"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Certificate version %(version)s is issued.") % {"version": certificate.version},
            )
            return redirect(target)
    return _render_case_certificates(request, case, form=form, status=400)


@role_required(Role.ASSESSOR)
def certificate_revoke(request, pk: int):
    """POST only. The certificate is looked up before the method is checked, so another
    region's certificate answers 404 to any method, exactly like a missing one."""
    certificate = get_scoped_or_404(
        Certificate.objects.visible_to(request.membership).select_related("case__region"), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case_for(request, certificate.case_id)
    target = reverse("validation:case_certificates", args=[case.pk])
    form = CertificateRevokeForm(request.POST, prefix=_revoke_prefix(certificate))
    if form.is_valid():
        try:
            certificate_services.certificate_revoke(
                acting_user=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Certificate version %(version)s is revoked.") % {"version": certificate.version},
            )
            return redirect(target)
    return _render_case_certificates(request, case, revoke_form=form, status=400)


# --- downloading -------------------------------------------------------------------------------


@never_cache
@require_GET
def certificate_download(request, pk: int):
    """The PDF, to the person whose certificate it is and to the region's validation staff;
    anyone else gets a 404, as for a certificate that does not exist."""
    certificate = get_scoped_or_404(certificates_for_download(request.membership), pk=pk)
    certificate_services.certificate_download_log(
        acting_user=request.user, certificate=certificate, role=request.membership.role
    )
    response = FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=download_name(certificate),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A downloaded file is never a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the public check ---------------------------------------------------------------------------


def _limit_key(request) -> str:
    # The address is hashed: the cache holds no client addresses in the clear.
    address = request.META.get("REMOTE_ADDR", "")
    return "validation:verify-failures:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _limit() -> tuple[int, int]:
    return (
        getattr(settings, "VALIDATION_VERIFY_FAILURES", 20),
        getattr(settings, "VALIDATION_VERIFY_WINDOW", 15 * 60),
    )


def _too_many_failures(request) -> bool:
    allowed, _window = _limit()
    return cache.get(_limit_key(request), 0) >= allowed


def _count_failure(request) -> None:
    _allowed, window = _limit()
    key = _limit_key(request)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:
        # Expired between add and incr.
        cache.set(key, 1, timeout=window)


@login_not_required
@never_cache
@require_GET
def verify(request):
    """A GET form: works without JavaScript or cookies, and a link with ?code= can be shared."""
    form = VerifyForm(request.GET or None)
    checked = False
    certificate = None
    status = 200
    limited = False
    if form.is_bound and form.is_valid():
        if _too_many_failures(request):
            limited = True
            status = 429
        else:
            checked = True
            certificate = certificate_for_code(request.region, form.cleaned_data["code"])
            if certificate is None:
                _count_failure(request)
            else:
                certificate_services.certificate_verify_log(certificate=certificate)
    response = render(
        request,
        "validation/certificates/verify.html",
        {
            "form": form,
            "checked": checked,
            "limited": limited,
            "certificate": certificate,
            "standard_name": (
                in_language(certificate.case.standard, translation.get_language())
                if certificate
                else ""
            ),
        },
        status=status,
    )
    # The code may be in this page's address: it must not travel on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
