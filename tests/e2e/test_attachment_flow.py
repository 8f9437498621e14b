"""A documenter attaches a photo to a draft; a moderator draws an area to
blur on the canvas; the public copy is remade. In a real browser, under the
site's Content-Security-Policy."""

import re
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from testimonies.attachments.services import attachment_add
from testimonies.models import Attachment
from tests import factories
from tests.e2e.chromium import TIMEOUT_MS
from tests.e2e.sessions import on_home_page
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    photo_bytes,
    upload,
)

pytestmark = [committed_db, pytest.mark.usefixtures("empty_media")]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def loaded(page, selector):
    """Has the image come, whole? Waits for the browser to finish loading it
    (a busy machine is slow); an image that failed stays complete with no
    width, and the wait times out."""
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
        timeout=15_000,
    )
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth")


def test_a_photo_is_attached_then_blurred_on_the_canvas(
    page, log_in, documenter, moderator, second_factor, tmp_path
):
    page.add_init_script(LISTEN)
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    photo = tmp_path / "IMG_20250308.jpg"
    photo.write_bytes(photo_bytes(size=(400, 300)))

    log_in("documenter")
    page.goto(testimony.get_absolute_url())
    page.get_by_label("Photo, PDF document or audio recording").set_input_files(photo)
    page.get_by_label("Description (optional)").fill("The street after the raid")
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator(".messages")).to_contain_text("The file was added.")
    expect(page).to_have_url(re.compile(re.escape(testimony.get_absolute_url())))
    thumbnail = page.get_by_alt_text("The street after the raid")
    expect(thumbnail).to_be_visible()
    assert loaded(page, ".attachment img")
    assert page.evaluate("window.__cspViolations") == []

    device = second_factor(moderator)
    page.get_by_role("button", name="Log out").click()
    # The logout's answer ends the session its cookie names: awaited, or it
    # could land after the moderator's cookie is given and end theirs.
    page.wait_for_url(on_home_page)
    log_in("moderator")
    attachment = Attachment.objects.get()
    page.goto(testimony.get_absolute_url())
    page.get_by_role("link", name="Review queue").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Verify").click()
    # Awaited: a page asked for at once cancels the code's form, which may
    # then never have reached the server.
    # (The path alone: the code's own address ends ?next=/moderation/.)
    page.wait_for_url(lambda url: urlsplit(url).path == "/moderation/")
    page.goto(testimony.get_absolute_url())
    page.get_by_role("link", name="Blur areas").click()

    canvas = page.locator("#blur-canvas")
    expect(canvas).to_be_visible()
    expect(page.locator("#blur-source")).to_be_hidden()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    page.mouse.up()
    expect(page.locator("input[name=area-0-x]")).not_to_have_value("")
    page.get_by_role("button", name="Save the blurred areas").click()
    expect(page.locator(".messages")).to_contain_text("The blurred areas were saved.")
    assert page.evaluate("window.__cspViolations") == []

    attachment.refresh_from_db()
    [area] = attachment.blur_regions
    assert area["x"] == pytest.approx(10, abs=2) and area["y"] == pytest.approx(
        20, abs=2
    )
    assert area["w"] == pytest.approx(40, abs=2) and area["h"] == pytest.approx(
        40, abs=2
    )
    assert loaded(page, "img.blur-image:not(#blur-source)")


def test_nothing_below_a_thumbnail_moves_as_it_loads(page, log_in, documenter):
    """The page keeps the thumbnail's room before it comes: a button below it
    is where it was when the pointer went for it. (The thumbnail loads only
    once scrolled near, so a click that scrolls to a button can land as the
    picture arrives above it and push the button away.)"""
    testimony = factories.testimony(status="draft", recorded_by=documenter)
    attachment_add(
        testimony=testimony, upload=upload(photo_bytes(size=(400, 300))), by=documenter
    )
    held = []
    page.route(re.compile(r"-thumb/$"), lambda route: held.append(route))
    log_in("documenter")
    page.goto(testimony.get_absolute_url())
    remove = page.get_by_role("button", name="Remove file 1")
    remove.scroll_into_view_if_needed()
    top_in_page = "el => el.getBoundingClientRect().top + window.scrollY"
    for _ in range(TIMEOUT_MS // 20):  # until the thumbnail is asked for
        if held:
            break
        page.wait_for_timeout(20)
    else:
        pytest.fail("the thumbnail was never asked for")
    before = remove.evaluate(top_in_page)
    held[0].continue_()
    assert loaded(page, ".attachment img")
    assert remove.evaluate(top_in_page) == before
