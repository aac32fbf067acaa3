from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.tenancy import get_scoped_or_404
from yrkescenter.selectors import centres_of, offerings_at


def get_centre_for(request, pk):
    return get_scoped_or_404(centres_of(request.region), pk=pk)


@login_not_required
@require_GET
def centre_list(request):
    return render(request, "yrkescenter/centre_list.html", {"centres": centres_of(request.region)})


@login_not_required
@require_GET
def centre_detail(request, pk: int):
    centre = get_centre_for(request, pk)
    return render(
        request,
        "yrkescenter/centre_detail.html",
        {"centre": centre, "offerings": offerings_at(centre)},
    )
