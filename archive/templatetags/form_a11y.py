"""Form fields tied to the text that describes them, for screen readers."""

from django import template

register = template.Library()


@register.filter
def described_by(field, ids: str):
    """The field's widget with aria-describedby naming the elements `ids`
    (space-separated) and, when the field has errors, its "<id>_error"
    element; Django's aria-invalid is kept."""
    names = ids.split()
    if field.errors:
        names.append(f"{field.auto_id}_error")
    return field.as_widget(attrs={"aria-describedby": " ".join(names)})
