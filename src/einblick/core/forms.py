from django import forms
from django.db import models


def formfield_https(db_field, **kwargs):
    """Model URL fields become form fields that assume https:// when the scheme is left out."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class BaseForm(forms.Form):
    """Forms mark erroneous and required fields for the stylesheet; errors sit next to the field."""

    error_css_class = "field-error"
    required_css_class = "required"


class BaseModelForm(forms.ModelForm):
    error_css_class = "field-error"
    required_css_class = "required"

    class Meta:
        # Subclasses inherit this Meta (``class Meta(BaseModelForm.Meta)``) to get https-assuming URL fields.
        formfield_callback = formfield_https
