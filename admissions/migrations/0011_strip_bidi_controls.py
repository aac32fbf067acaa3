"""Names and texts saved before the forms dropped bidi controls (admissions.applications.text)
lose them too: a stored "Anna\u202egnp.exe" would still read "Annaexe.png" in a letter."""

from django.db import migrations
from django.db.models import Q

# The texts an applicant types or a file brings (the step forms' and the import's fields).
TEXTS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "language_support_note",
    "validation_description",
)
# The same characters as admissions.applications.text.BIDI_CONTROLS; a migration keeps its own
# copy, so that later changes to the module do not change what this migration did.
CONTROLS = "[\u202a-\u202e\u2066-\u2069]"


def strip_controls(apps, schema_editor):
    import re

    Application = apps.get_model("admissions", "Application")
    pattern = re.compile(CONTROLS)
    touched = Q()
    for name in TEXTS:
        touched |= Q(**{f"{name}__regex": CONTROLS})
    for application in Application.objects.filter(touched).only("pk", *TEXTS).iterator():
        for name in TEXTS:
            setattr(application, name, pattern.sub("", getattr(application, name)))
        application.save(update_fields=TEXTS)


class Migration(migrations.Migration):
    dependencies = [("admissions", "0010_unclaimed_personnummer_index")]

    operations = [migrations.RunPython(strip_controls, migrations.RunPython.noop, elidable=True)]
