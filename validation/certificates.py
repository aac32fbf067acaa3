"""Competence certificates as documents: what a certificate says (read from a decided case's
final results), how it becomes a PDF/A-3b, its verification code, and the scoped reads of the
certificate pages.

Issuing and storing a certificate is validation.certificate_services; this module only reads
and renders. A certificate carries the person's name and at most their birth date: never the
identity number."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Region, Role, User
from admissions.applications import personnummer as pnr
from admissions.rounds.letters import pdf_from_html
from validation.case_summaries import in_language
from validation.models import (
    Certificate,
    Method,
    Outcome,
    ValidationCase,
    ValidationCentre,
)
from validation.selectors import AreaStanding, area_standings

LANGUAGES = ("sv", "en")
STYLESHEET = "validation/certificates/certificate.css"

# Who may download a certificate besides the person: the region's validation centre staff.
CERTIFICATE_STAFF = (Role.ASSESSOR, Role.REGION_ADMIN)

# --- the verification code -------------------------------------------------------------------

# 32 symbols without the look-alikes 0/O and 1/I: 16 of them are 80 random bits, far beyond
# guessing, and read aloud or typed from paper without confusion.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
_CODE_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH
_NOT_CODE_CHARACTERS = re.compile(r"[^0-9A-Z]")


def new_verification_code() -> str:
    """A fresh random code in groups, like K7QM-2X9P-HJ4T-W8NC (from `secrets`)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return _grouped(raw)


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def normalised_code(text: str) -> str | None:
    """The code as stored, from what a person typed (any case, spaces or dashes anywhere); None
    when it cannot be a code at all."""
    raw = _NOT_CODE_CHARACTERS.sub("", (text or "").upper())
    if len(raw) != _CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    return _grouped(raw)


def certificate_for_code(region: Region | None, text: str) -> Certificate | None:
    """The region's certificate with this code, or None: the public page looks only within the
    region whose host it was asked on."""
    code = normalised_code(text)
    if region is None or code is None:
        return None
    return (
        Certificate.objects.for_region(region)
        .filter(verification_code=code)
        .select_related("case__standard")
        .first()
    )


def verify_url(region: Region, *, base_url: str = "") -> str:
    """The public verification page's address printed on a certificate: on the region's own
    host name, else on the address the certificate was issued from."""
    path = reverse("validation:verify")
    host = region.hosts.order_by("pk").values_list("host", flat=True).first()
    if host:
        return f"https://{host}{path}"
    return f"{base_url.rstrip('/')}{path}" if base_url else path


# --- what a certificate says -----------------------------------------------------------------


@dataclass(frozen=True)
class CreditedCourse:
    code: str
    name: str
    vp: int


@dataclass(frozen=True)
class AreaLine:
    """One assessed area as the certificate states it."""

    name: str
    outcome: str
    method: str
    courses: tuple[CreditedCourse, ...]
    assessor: str
    signed_off_by: str
    decided_on: dt.date

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def method_label(self) -> str:
        return str(Method(self.method).label)

    @property
    def vp(self) -> int:
        return sum(course.vp for course in self.courses)


@dataclass(frozen=True)
class CertificateData:
    reference: str
    language: str
    person_name: str
    birth_date: dt.date | None
    standard_name: str
    standard_owner: str
    standard_branch: str
    centre_name: str
    centre_municipality: str
    centre_address: str
    centre_email: str
    region_name: str
    decided_on: dt.date | None
    areas: tuple[AreaLine, ...]

    @property
    def credited_vp(self) -> int:
        return sum(area.vp for area in self.areas)


def _person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


def case_birth_date(case: ValidationCase) -> dt.date | None:
    """The birth date only, from the application or the identity number: the certificate may
    name it, never the number itself."""
    if case.application_id and case.application.birth_date:
        return case.application.birth_date
    if case.personnummer:
        try:
            return pnr.birth_date(case.personnummer)
        except ValueError:
            return None
    return None


def certificate_data(
    case: ValidationCase, *, language: str, standings: list[AreaStanding] | None = None
) -> CertificateData:
    """Everything the certificate says, in a fixed number of queries. `standings` may be given
    when the caller has read them already (area_standings(case))."""
    if standings is None:
        standings = area_standings(case)
    centre = (
        ValidationCentre.objects.filter(region_id=case.region_id)
        .select_related("host_municipality")
        .first()
    )
    areas = []
    for standing in standings:
        result = standing.result
        if result is None:
            # certificate_issue refuses a case with an unassessed area before rendering.
            raise ValueError("A certificate states assessed areas only")
        # Read through select_related; a result without a sign-off has None here.
        sign_off = getattr(result, "sign_off", None)
        areas.append(
            AreaLine(
                name=in_language(standing.area, language),
                outcome=result.outcome,
                method=result.method,
                courses=tuple(
                    CreditedCourse(code=course.code, name=course.name, vp=course.points)
                    for course in sorted(result.credited_courses.all(), key=lambda c: c.code)
                ),
                assessor=_person_name(result.assessor),
                signed_off_by=_person_name(sign_off.assessor) if sign_off else "",
                decided_on=timezone.localdate(result.decided_at),
            )
        )
    standard = case.standard
    return CertificateData(
        reference=case.reference,
        language=language,
        person_name=case.full_name,
        birth_date=case_birth_date(case),
        standard_name=in_language(standard, language),
        standard_owner=standard.owner,
        standard_branch=standard.branch,
        centre_name=centre.name if centre else "",
        centre_municipality=centre.host_municipality.name if centre else "",
        centre_address=centre.address if centre else "",
        centre_email=centre.email if centre else "",
        region_name=case.region.name,
        decided_on=timezone.localdate(case.decided_at) if case.decided_at else None,
        areas=tuple(areas),
    )


def certificate_html(
    data: CertificateData,
    *,
    verification_code: str,
    verification_url: str,
    version: int,
    issued_on: dt.date,
    issued_by: str,
) -> str:
    with translation.override(data.language):
        return render_to_string(
            "validation/certificates/certificate.html",
            {
                "certificate": data,
                "verification_code": verification_code,
                "verification_url": verification_url,
                "version": version,
                "issued_on": issued_on,
                "issued_by": issued_by,
                "language": data.language,
            },
        )


def certificate_pdf(data: CertificateData, **details) -> bytes:
    """The certificate as PDF/A-3b bytes, with the letters' fonts and PDF/A setup."""
    return pdf_from_html(certificate_html(data, **details), stylesheet=STYLESHEET)


# --- scoped reads for the pages --------------------------------------------------------------


def certificates_for_download(membership: Membership | None) -> QuerySet[Certificate]:
    """Certificates a membership may download: the person their own (visible_to gives an
    applicant their own cases), the centre's staff the region's. The intake office sees results
    and codes on applications, not the documents."""
    if membership is None or membership.role not in (*CERTIFICATE_STAFF, Role.APPLICANT):
        return Certificate.objects.none()
    return Certificate.objects.visible_to(membership).select_related("case")


def download_name(certificate: Certificate) -> str:
    # The case reference identifies it; nothing personal goes into a file name.
    return f"intyg-{certificate.case.reference}-v{certificate.version}.pdf"
