"""allauth's openid_connect login and callback views, with EidOAuth2Adapter."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest

from accounts.eid.provider import EidOAuth2Adapter


@login_not_required
def login(request: HttpRequest, provider_id: str):
    try:
        view = OAuth2LoginView.adapter_view(EidOAuth2Adapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        # A broker of another region, or none: the same as a page that does not exist.
        raise Http404 from error


@login_not_required
def callback(request: HttpRequest, provider_id: str):
    try:
        view = OAuth2CallbackView.adapter_view(EidOAuth2Adapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
