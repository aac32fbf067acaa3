"""Downloading decision letters: the applicant their own, staff any in their scope."""

from django.http import FileResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from admissions.applications.services.access_log import read_log
from admissions.rounds.letters import download_name, get_letter_for


@never_cache
@require_GET
def letter_download(request, pk: int):
    letter = get_letter_for(request, pk)
    read_log(
        acting_user=request.user,
        membership=request.membership,
        application=letter.application,
        read="letter",
        detail={"letter": letter.pk, "version": letter.version},
    )
    response = FileResponse(
        letter.file.open("rb"),
        as_attachment=True,
        filename=download_name(letter),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A downloaded file is never a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
