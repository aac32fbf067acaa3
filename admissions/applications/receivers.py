"""What admissions does when something happens elsewhere: an e-ID login links the paper
applications registered under the person's verified number (accounts knows nothing of
applications, so it only sends allauth's login signal)."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from admissions.applications.services.applications import paper_applications_link


@receiver(user_logged_in, dispatch_uid="admissions.paper_applications_link")
def link_paper_applications(sender, request, user, **kwargs):
    paper_applications_link(user=user)
