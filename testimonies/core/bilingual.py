from django.utils.translation import get_language


class BilingualNameMixin:
    """Shows `name_ar` to Arabic readers, `name` to everyone else."""

    @property
    def label(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return (self.name_ar or self.name) if language == "ar" else self.name
