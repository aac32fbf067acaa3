"""The list of an application's decision letters, for pages that show the application (the
applicant's status page, the intake office's application page) without their views knowing."""

from django import template

from admissions.rounds.letters import letters_of

register = template.Library()


@register.simple_tag
def decision_letters(application):
    return letters_of(application)
