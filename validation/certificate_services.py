"""Issuing competence certificates: an immutable PDF/A per issue, stored with its sha256 and a
random verification code. Issuing again (after a correction, or in the other language) makes a
new version; an old one is never rendered over. Revoking marks a certificate as no longer
valid; its file stays.

The verification code is a secret of the certificate's holder: it is never written to the audit
log or any log line."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from validation import certificates
from validation.models import CaseStatus, Certificate, ValidationCase
from validation.selectors import area_standings
from validation.services import is_assessor

# Tries at drawing a code no certificate has: with 80 random bits a clash is all but
# impossible, but the unique constraint must never surface as a server error.
_CODE_TRIES = 5


def _unused_code() -> str:
    for _try in range(_CODE_TRIES):
        code = certificates.new_verification_code()
        if not Certificate.objects.filter(verification_code=code).exists():
            return code
    raise RuntimeError("Could not draw an unused verification code")


def _checked_language(language: str | None, case: ValidationCase) -> str:
    language = (language or case.language or "sv").split("-")[0].lower()
    if language not in certificates.LANGUAGES:
        raise ValidationError(
            {"language": _("A certificate is written in Swedish or English.")},
            code="language",
        )
    return language


def certificate_issue(
    *,
    acting_user: User,
    case: ValidationCase,
    language: str | None = None,
    base_url: str = "",
) -> Certificate:
    """Issue a certificate of a decided case in Swedish or English (default: the case's
    language). Refused while the case is not decided, or while a corrected result awaits its
    sign-off. `base_url` (the issuing request's site) is used for the printed verification
    address only when the region has no host name of its own.

    The case row is locked while the certificate is rendered (a few tenths of a second), so two
    issues at once get consecutive versions and a correction cannot slip in between reading the
    results and storing what they say."""
    if not is_assessor(acting_user, case.region):
        raise ValidationError(_("Only a validation assessor of the region can issue certificates."))
    language = _checked_language(language, case)
    with transaction.atomic():
        case = (
            ValidationCase.objects.select_for_update(of=("self",))
            .select_related("standard", "region", "application")
            .get(pk=case.pk)
        )
        if case.status != CaseStatus.DECIDED:
            raise ValidationError(
                _("A certificate can be issued only once the case's result is decided."),
                code="not_decided",
            )
        standings = area_standings(case)
        pending = [standing.area.name for standing in standings if not standing.final]
        if pending:
            raise ValidationError(
                _(
                    "These results must be final (signed off) before a certificate is issued: "
                    "%(areas)s."
                )
                % {"areas": ", ".join(pending)},
                code="not_final",
            )
        version = (case.certificates.aggregate(Max("version"))["version__max"] or 0) + 1
        code = _unused_code()
        issued_on = timezone.localdate()
        pdf = certificates.certificate_pdf(
            certificates.certificate_data(case, language=language, standings=standings),
            verification_code=code,
            verification_url=certificates.verify_url(case.region, base_url=base_url),
            version=version,
            issued_on=issued_on,
            issued_by=acting_user.full_name or acting_user.email,
        )
        certificate = Certificate(
            case=case,
            version=version,
            language=language,
            verification_code=code,
            sha256=hashlib.sha256(pdf).hexdigest(),
            issued_by=acting_user,
        )
        # The stored name comes from certificate_path (random); the name given is not used.
        certificate.file.save("certificate.pdf", ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                certificate.save()
                audit_record(
                    acting_user=acting_user,
                    region=case.region,
                    action="validation.certificate_issue",
                    target=case,
                    data={
                        "certificate": certificate.pk,
                        "version": version,
                        "language": language,
                        "sha256": certificate.sha256,
                    },
                )
        except Exception:
            # No row refers to the file: remove it rather than leave an orphan behind, and let
            # the error go on.
            certificate.file.delete(save=False)
            raise
    return certificate


def certificate_revoke(*, acting_user: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate that no longer certifies the result (issued in error, or the
    result behind it was wrong): the public page then tells it is revoked and since when. The
    PDF stays, as the record of what was issued; a revocation is not undone.

    The reason is kept on the certificate, not in the audit log: it may say things about the
    person. The certificate's row is locked, so of two revocations at once only one is stored
    and the other is told it came too late."""
    if not is_assessor(acting_user, certificate.case.region):
        raise ValidationError(
            _("Only a validation assessor of the region can revoke certificates.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")}, code="required")
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("case__region")
            .get(pk=certificate.pk)
        )
        if certificate.revoked_at is not None:
            raise ValidationError(
                _("This certificate was already revoked on %(date)s.")
                % {"date": date_format(timezone.localdate(certificate.revoked_at))},
                code="revoked",
            )
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = acting_user
        certificate.revocation_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_record(
            acting_user=acting_user,
            region=certificate.case.region,
            action="validation.certificate_revoke",
            target=certificate.case,
            data={
                "certificate": certificate.pk,
                "version": certificate.version,
                "language": certificate.language,
            },
        )
    return certificate


def certificate_download_log(*, acting_user: User, certificate: Certificate, role: str) -> None:
    """Who downloaded which certificate (a GET may write only '.view' entries)."""
    audit_record(
        acting_user=acting_user,
        region=certificate.case.region,
        action="validation.certificate_download.view",
        target=certificate.case,
        role=role,
        data={"certificate": certificate.pk, "version": certificate.version},
    )


def certificate_verify_log(*, certificate: Certificate) -> None:
    """That someone checked a genuine certificate on the public page (who is not known; the
    code is not recorded)."""
    audit_record(
        acting_user=None,
        region=certificate.case.region,
        action="validation.certificate_verify.view",
        target=certificate.case,
        data={"certificate": certificate.pk, "version": certificate.version},
    )
