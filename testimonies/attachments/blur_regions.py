"""The areas of a photo blurred on its public copy, in the shape they are kept.

Apart from the image processing so that the Attachment model can check the
shape of its own field without importing Pillow's code or the processing
that imports the model.
"""

import math

from django.utils.translation import gettext as _

MAX_BLUR_REGIONS = 50


def blur_regions_check(regions) -> list[dict]:
    """The blurred areas in the shape they are kept (ValueError otherwise):
    a list of {"x", "y", "w", "h"} in percent of the upright image, inside
    it and not empty."""
    if not isinstance(regions, list) or len(regions) > MAX_BLUR_REGIONS:
        raise ValueError(
            _("Blurred areas are a list of at most %(n)d rectangles.")
            % {"n": MAX_BLUR_REGIONS}
        )
    checked = []
    for region in regions:
        if not isinstance(region, dict) or set(region) != {"x", "y", "w", "h"}:
            raise ValueError(_("A blurred area needs x, y, width and height."))
        values = {key: region[key] for key in "xywh"}
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values.values()
        ):
            raise ValueError(_("A blurred area is given in numbers."))
        x, y, w, h = (values[key] for key in "xywh")
        if min(x, y) < 0 or w <= 0 or h <= 0 or x + w > 100 or y + h > 100:
            raise ValueError(
                _("A blurred area must lie inside the photo (0 to 100 percent).")
            )
        checked.append(values)
    return checked
