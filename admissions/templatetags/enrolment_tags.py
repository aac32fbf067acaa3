"""The applicant's studies on their status page (templates/admissions/enrolment/_status.html), so
the status page's view needs to know nothing about enrolment."""

from django import template

from admissions.enrolment.selectors import enrolments_of as _enrolments_of

register = template.Library()


@register.simple_tag
def enrolments_of(application):
    return _enrolments_of(application)
