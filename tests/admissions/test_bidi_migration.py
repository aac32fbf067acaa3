"""Migration 0011: texts stored before the forms dropped bidi controls lose them too."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from admissions.applications.models import Application
from tests.factories import ApplicationFactory, RegionFactory

BEFORE = ("admissions", "0010_unclaimed_personnummer_index")


@pytest.mark.django_db(transaction=True)
def test_stored_names_and_texts_lose_their_bidi_controls():
    MigrationExecutor(connection).migrate([BEFORE])
    # The schema is the same on both sides of the (data only) migration, so today's models
    # write the rows the old code could have saved.
    region = RegionFactory()
    spoofed = ApplicationFactory(
        region=region,
        first_name="Anna\u202egnp.exe",
        last_name="\u2067ليند\u2069 Lind\u200f",
        city="Karl\u202dstad",
    )
    plain = ApplicationFactory(region=region, first_name="Bo")
    untouched = Application.objects.filter(pk=plain.pk).values_list("updated_at", flat=True)
    before = untouched.get()

    call_command("migrate", verbosity=0)

    spoofed.refresh_from_db()
    assert spoofed.first_name == "Annagnp.exe"
    assert spoofed.last_name == "ليند Lind\u200f"
    assert spoofed.city == "Karlstad"
    assert untouched.get() == before
