"""The size a page gives a photo's copy or thumbnail before it loads is the
size of the copy the archive made (to within a pixel), whatever the photo's
shape: too small or too large and what lies below it moves as it comes."""

import io

import pytest
from PIL import Image

from testimonies.attachments.processing import (
    display_size,
    image_copies,
    thumbnail_size,
)


@pytest.mark.parametrize(
    "size",
    [(96, 64), (400, 300), (4000, 3000), (300, 4000), (1601, 3), (3, 1601), (321, 320)],
)
def test_the_sizes_given_are_the_copies(size):
    copies = image_copies(Image.new("RGB", size, (200, 30, 30)), [])
    for given, working, public in (
        (display_size(*size), copies.working, copies.public),
        (thumbnail_size(*size), copies.working_thumb, copies.public_thumb),
    ):
        made = Image.open(io.BytesIO(working)).size
        assert all(abs(a - b) <= 1 for a, b in zip(given, made, strict=True)), (
            given,
            made,
        )
        assert Image.open(io.BytesIO(public)).size == made


@pytest.mark.parametrize("unknown", [(None, None), (400, None), (0, 300)])
def test_a_size_not_known_gives_none(unknown):
    """An image row whose size fields are empty: the page gives no size
    rather than failing."""
    assert display_size(*unknown) is None
    assert thumbnail_size(*unknown) is None
