import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from accounts.models import Role
from accounts.permissions import role_required
from accounts.selectors import audit_entries_for
from accounts.services import preferred_language_set


def server_error(request):
    """handler500: a database that cannot be reached (down, restarting, connection lost) is a
    503 page that needs no database; anything else is the plain 500 page. The traceback goes to
    the log (django.request), never to the visitor."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return defaults.server_error(request)


@login_not_required
@require_GET
def home(request):
    return render(request, "home.html")


@login_not_required
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def start(request):
    """Where a user lands after login: what their role in this region may use."""
    return render(request, "accounts/start.html")


@require_POST
def switch_role(request):
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError as error:
        raise Http404 from error
    membership = next((m for m in request.memberships if m.pk == wanted), None)
    if membership is None:
        raise Http404
    request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
    messages.success(
        request, _("You now act as %(role)s.") % {"role": membership.get_role_display()}
    )
    return redirect("accounts:start")


@role_required(Role.REGION_ADMIN)
@require_GET
def audit_log(request):
    entries = audit_entries_for(request.membership)
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page, "action": action})


@login_not_required
def set_language(request):
    """Django's language switch (a cookie), and for a logged-in user also remembered on the
    account, so that letters and e-mails come in the language they chose."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language and check_for_language(language):
        preferred_language_set(user=request.user, language=language)
    return response
