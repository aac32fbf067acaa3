"""Putting a service's refusal on the form the user filled in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each field's errors next to the field, the
    rest (and errors of fields the form does not show) above the form, so the page can be shown
    again with what was typed and why it was refused."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
