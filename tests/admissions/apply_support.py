"""Shared set-up of the applicant-side tests (tests/admissions/test_apply_*.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from tests import sample_files
from tests.factories import (
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    enrol_totp,
)

HOST = "hemland.example.test"
FOREIGN_HOST = "bortland.example.test"
# Real files: the upload check parses them whole.
PDF = sample_files.PDF
PNG = sample_files.PNG
# The start of a Windows executable: whatever its name says, it is not a PDF.
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def pdf(name: str = "betyg.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def exe_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.pdf", EXE, content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def period(region):
    return IntakePeriodFactory(region=region, code="ht2027", starts_on=dt.date(2027, 8, 16))


@pytest.fixture
def karlstad(region):
    return MunicipalityFactory(region=region, code="1780", name="Karlstad")


@pytest.fixture
def offerings(region, period):
    return [OfferingFactory(region=region, intake_period=period) for _ in range(6)]


@pytest.fixture
def closed_offering(region, period):
    now = timezone.now()
    return OfferingFactory(
        region=region,
        intake_period=period,
        application_opens=now - dt.timedelta(days=60),
        application_closes=now - dt.timedelta(days=1),
    )


@pytest.fixture
def applicant(region):
    return MembershipFactory(region=region, role=Role.APPLICANT).user


@pytest.fixture
def client_for():
    def make(user=None, host: str = HOST) -> Client:
        # English, so that the tests read the msgids whatever the translations say.
        client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def applicant_client(client_for, applicant):
    return client_for(applicant)


def staff(region, role: Role = Role.INTAKE_OFFICER, **scope):
    user = MembershipFactory(region=region, role=role, **scope).user
    enrol_totp(user)
    return user
