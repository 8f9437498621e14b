from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _


class BilingualNameMixin:
    """Shows `name_ar` to Arabic readers, `name` to everyone else."""

    @property
    def label(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return (self.name_ar or self.name) if language == "ar" else self.name


# A translation's heading names its language in words, as a reader says it
# ("الترجمة العربية"), never by its code ("الترجمة (ar)").
_TRANSLATION_HEADINGS = {
    "ar": gettext_lazy("Translation (Arabic)"),
    "en": gettext_lazy("Translation (English)"),
}


def translation_heading(code: str) -> str:
    """The heading of a testimony's translation into the language `code`,
    in the interface's language. A language the archive has no phrase for
    is named by Django's list of languages, or by its code if unknown."""
    if code in _TRANSLATION_HEADINGS:
        return str(_TRANSLATION_HEADINGS[code])
    try:
        name = get_language_info(code)["name_translated"]
    except KeyError:
        name = code
    return _("Translation (%(language)s)") % {"language": name}
