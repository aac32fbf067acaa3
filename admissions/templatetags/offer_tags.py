"""The applicant's offers on their status page (templates/admissions/offers/_on_status_page.html),
so the status page's view needs to know nothing about rounds."""

from django import template

from admissions.rounds.selectors import offers_of
from admissions.rounds.services.rounds import offer_is_open

register = template.Library()


@register.simple_tag
def offers_for(application):
    offers = offers_of(application)
    for offer in offers:
        offer.is_open = offer_is_open(offer)
    return offers
