"""The applicant's appealable decisions on their status page
(templates/admissions/appeals/_on_status_page.html), so the status page's view needs to know
nothing about appeals."""

from django import template

from admissions.appeals.selectors import decisions_for_appeal

register = template.Library()


@register.simple_tag
def decisions_for_appeal_of(application):
    return decisions_for_appeal(application)
