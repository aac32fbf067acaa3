"""allauth's openid_connect login and callback views, with EidOAuth2Adapter."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest

from accounts.eid.provider import EidOAuth2Adapter


def _view(view_class):
    # The adapter is made per request: it needs the broker named by the path.
    @login_not_required
    def view(request: HttpRequest, provider_id: str):
        try:
            return view_class.adapter_view(EidOAuth2Adapter(request, provider_id))(request)
        except SocialApp.DoesNotExist as error:
            # A broker of another region, or none: the same as a page that does not exist.
            raise Http404 from error

    return view


login = _view(OAuth2LoginView)
callback = _view(OAuth2CallbackView)
