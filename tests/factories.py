"""factory_boy factories for accounts, the regional structure and admissions."""

import datetime as dt
import time

import factory
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.utils import timezone

from accounts.models import Membership, Region, RegionHost, Role, User
from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus, Choice
from yrkescenter.models import (
    Course,
    IntakePeriod,
    Municipality,
    Offering,
    Programme,
    Yrkescenter,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class RegionHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionHost

    region = factory.SubFactory(RegionFactory)
    host = factory.LazyAttribute(lambda o: f"{o.region.slug}.example.test")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="sv_SE")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Kommun {n}")


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Yrkescenter

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"centre-{n}")
    name = factory.Sequence(lambda n: f"Yrkescenter {n}")
    host_municipality = factory.SubFactory(
        MunicipalityFactory, region=factory.SelfAttribute("..region")
    )
    orientation = "Industri"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"KURS{n:04d}")
    name = factory.Sequence(lambda n: f"Kurs {n}")
    points = 100


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    vp = 800
    grant_category = "2"
    ssyk_code = "7213"
    occupation = "Svetsare"


class IntakePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakePeriod

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"ht{2027 + n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())
    starts_on = dt.date(2027, 8, 16)
    ends_on = dt.date(2027, 9, 30)


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    region = factory.SubFactory(RegionFactory)
    programme = factory.SubFactory(ProgrammeFactory, region=factory.SelfAttribute("..region"))
    centre = factory.SubFactory(CentreFactory, region=factory.SelfAttribute("..region"))
    intake_period = factory.SubFactory(
        IntakePeriodFactory, region=factory.SelfAttribute("..region")
    )
    starts_on = dt.date(2027, 8, 16)
    ends_on = dt.date(2028, 6, 9)
    seats = 16
    state_funded_seats = 8
    application_opens = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    application_closes = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
    role = Role.INTAKE_OFFICER


def enrol_totp(user: User) -> Authenticator:
    """Give a user a TOTP authenticator, as if they had set one up."""
    return TOTP.activate(user, generate_totp_secret()).instance


def code_for_secret(secret: str) -> str:
    """What an authenticator app would show now for this secret."""
    period = mfa_settings.TOTP_PERIOD
    # A code read in the last seconds of its period may be checked in the next one, where
    # allauth (no tolerance by default) rejects it: wait for a fresh period instead.
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def current_totp_code(authenticator: Authenticator) -> str:
    """The code an authenticator app would show now for this authenticator."""
    return code_for_secret(decrypt(authenticator.data["secret"]))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application; its region, period and home municipality agree."""

    class Meta:
        model = Application

    region = factory.SubFactory(RegionFactory)
    intake_period = factory.SubFactory(
        IntakePeriodFactory, region=factory.SelfAttribute("..region")
    )
    applicant = factory.SubFactory(UserFactory)
    reference = factory.Sequence(lambda n: f"TE-2027-{n + 1:06d}")
    birth_date = dt.date(1988, 5, 4)
    personnummer = factory.Sequence(lambda n: pnr.build(dt.date(1988, 5, 4), n % 1000))
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda o: o.applicant.email if o.applicant else "")
    home_municipality = factory.SubFactory(
        MunicipalityFactory, region=factory.SelfAttribute("..region")
    )
    status = ApplicationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    application = factory.SubFactory(ApplicationFactory)
    offering = factory.SubFactory(
        OfferingFactory,
        region=factory.SelfAttribute("..application.region"),
        intake_period=factory.SelfAttribute("..application.intake_period"),
    )
    rank = 1
