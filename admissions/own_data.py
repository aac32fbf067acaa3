"""Everything held about the acting applicant in this region, as one zip (GDPR art. 15 and 20):
the data as JSON and the documents they uploaded. It spans the concerns (the application and
its review, and the appeals), so it sits above them and each concern gives its own part."""

import io
import json
import zipfile

from django.db.models import Prefetch
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from admissions.appeals.models import Appeal
from admissions.appeals.selectors import appeal_data
from admissions.applications.selectors.apply import (
    application_data,
    own_applications_for_export,
    own_data_document_path,
    own_documents,
    user_data,
)
from admissions.applications.views.apply import applicant_only


def own_data(request) -> dict:
    applications = own_applications_for_export(request).prefetch_related(
        Prefetch(
            "appeals", queryset=Appeal.objects.prefetch_related("attachments", "reconsiderations")
        )
    )
    return {
        "user": user_data(request),
        "region": request.region.name if request.region else "",
        "applications": [
            {**application_data(a), "appeals": [appeal_data(x) for x in a.appeals.all()]}
            for a in applications
        ],
    }


@applicant_only
@never_cache
@require_GET
def own_data_download(request):
    data = own_data(request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for document in own_documents(request).order_by("pk"):
            with document.file.open("rb") as stored:
                archive.writestr(own_data_document_path(document), stored.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="yrkesporten-my-data.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
