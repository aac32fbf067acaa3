"""The validation centre's demo cases on the Värmland demo region."""

import pytest
from django.core.management import call_command

from accounts.models import Region
from tests.validation import cases_support as support
from validation.demo import validation_demo_seed
from validation.models import CaseStatus, ValidationCase

pytestmark = pytest.mark.django_db


def test_the_demo_makes_one_case_at_each_step_once():
    call_command("load_region", "varmland", verbosity=0)
    region = Region.objects.get(slug="varmland")
    assert validation_demo_seed(region=region) == 0  # no assessor yet
    support.assessor(region)
    assert validation_demo_seed(region=region) == 5
    statuses = sorted(ValidationCase.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            CaseStatus.MAPPING,
            CaseStatus.ASSESSMENT,
            CaseStatus.ASSESSMENT,
            CaseStatus.DECIDED,
            CaseStatus.CLOSED,
        ]
    )
    assert validation_demo_seed(region=region) == 0
    assert ValidationCase.objects.count() == 5
