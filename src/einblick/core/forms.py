from django import forms


class BaseForm(forms.Form):
    """Forms mark erroneous and required fields for the stylesheet; errors sit next to the field."""

    error_css_class = "field-error"
    required_css_class = "required"


class BaseModelForm(forms.ModelForm):
    error_css_class = "field-error"
    required_css_class = "required"
