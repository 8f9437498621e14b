"""The recording acceptance, in a real browser, in English and in Arabic: a
documenter records a testimony through every step with a photo carrying GPS
and a camera serial, closes the page half-way, comes back from "My
testimonies" and submits; a moderator finds it in the queue with its photo,
and no copy the site serves carries the photo's metadata.

The Arabic run is driven with the keyboard only (Tab, Enter, Space, arrows
and typing; no click anywhere), and every control it reaches must show
where the focus is. Controls are found by id and name: the new labels are
translated after this test is written, and a label is not how a test should
find its way in a language it does not read.
"""

import hashlib
import io
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django_otp.oath import totp
from PIL import Image
from playwright.sync_api import expect

from testimonies.models import Attachment, AttachmentCustody, Testimony
from tests.e2e.sessions import on_home_page
from tests.e2e.test_content_security_policy import Watch
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    SERIAL,
    empty_media,
    metadata_problems,
    photo_bytes,
)

pytestmark = [committed_db, pytest.mark.usefixtures("empty_media")]

PASSWORD = "correct horse battery staple"
PHOTO_NAME = "IMG_20250308_0712.jpg"


@dataclass(frozen=True)
class Run:
    language: str
    keyboard: bool
    narrative: str
    summary: str
    place_query: str
    description: str


RUNS = [
    pytest.param(
        Run(
            language="en",
            keyboard=False,
            narrative="At dawn gunmen came to Hai Al Kusour and took my neighbour.",
            summary="A neighbour taken at dawn.",
            place_query="kusour",
            description="The street after the raid",
        ),
        id="english-pointer",
    ),
    pytest.param(
        Run(
            language="ar",
            keyboard=True,
            narrative="عند الفجر جاء مسلحون إلى حي القصور وأخذوا جاري.",
            summary="جار أُخذ عند الفجر.",
            place_query="القصور",
            description="الشارع بعد المداهمة",
        ),
        id="arabic-keyboard",
    ),
]

# After each Tab, in one call to the page: where the focus went must be
# seen (an outline, or a ring drawn as a shadow, on the focused control,
# which the browser treats as :focus-visible); the control is remembered as
# reached (for NOT_REACHED); and the answer says whether it matches what
# the keyboard is looking for, or is where a tour of the page began.
TAB_LANDED = """(selector) => {
  window.__reached = window.__reached || new Set();
  const el = document.activeElement;
  if (!el || el === document.body) return {problem: "nothing focused", none: true};
  window.__reached.add(el);
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  // Inside a date field the calendar button (the browser's own shadow
  // tree) can hold the focus: the field is then :focus-within only.
  const shown = el.matches(":focus-visible") ||
    (!el.matches(":focus") && el.matches(":focus-within"));
  const problem = shown && (outline || ring) ? "" : el.outerHTML.slice(0, 120);
  // A tour starts where the first Tab lands and ends when it lands there again.
  const cameRound = window.__tourStart === el;
  if (window.__tourStart === null) window.__tourStart = el;
  return {problem, none: false, matches: !!selector && el.matches(selector), cameRound};
}"""
NOT_REACHED = """() => {
  const reached = window.__reached || new Set();
  const radios = [...reached].filter(el => el.type === "radio");
  const groups = new Set(radios.map(el => el.name));
  const focusable = "a[href], button, input:not([type=hidden]), select, " +
    "textarea, summary, [tabindex]";
  return [...document.querySelectorAll(focusable)]
    .filter(el => !el.disabled && el.tabIndex >= 0 && el.checkVisibility())
    .filter(el => !el.closest("[hidden], [inert]"))
    .filter(el => !reached.has(el) && !(el.type === "radio" && groups.has(el.name)))
    .map(el => el.outerHTML.slice(0, 120));
}"""


class Hands:
    """How the documenter works a page: with the pointer, or the keyboard
    only. Both find controls by CSS selector (ids, names)."""

    # Tab presses allowed to reach a control: a page's controls, twice.
    MAX_TABS = 160

    def __init__(self, page, *, keyboard: bool):
        self.page = page
        self.keyboard = keyboard
        self.unseen_focus = []
        # Playwright asks the browser for file choosers without waiting for
        # its answer when the first listener comes: one listener for the
        # tab's life, so that a chooser opened by a key press at once (no
        # wait for actionability, as a click has) is never missed.
        page.on("filechooser", lambda chooser: None)

    def _focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)",
            selector,
        )

    def reach(self, selector: str):
        """Tab (forward, as a person would) until `selector` has the focus,
        noting every control on the way whose focus is not shown."""
        expect(self.page.locator(selector).first).to_be_attached()
        if self._focused(selector):
            return
        for _ in range(self.MAX_TABS):
            if self._tab(selector).get("matches"):
                return
        raise AssertionError(f"the keyboard cannot reach {selector}")

    def _tab(self, selector: str = "") -> dict:
        self.page.keyboard.press("Tab")
        landed = self.page.evaluate(TAB_LANDED, selector)
        if landed["problem"] and not landed["none"]:
            self.unseen_focus.append(landed["problem"])
        return landed

    def tour(self):
        """With the keyboard only: Tab once round the whole page; every
        control must be reached, its focus shown."""
        if not self.keyboard:
            return
        self.page.evaluate("() => { window.__tourStart = null; }")
        for _ in range(self.MAX_TABS * 2):
            if self._tab().get("cameRound"):
                break
        else:
            raise AssertionError(f"the focus never came round on {self.page.url}")
        assert self.page.evaluate(NOT_REACHED) == [], self.page.url

    def type(self, selector: str, text: str):
        if self.keyboard:
            self.reach(selector)
            self.page.keyboard.press("Control+a")
            self.page.keyboard.type(text)
        else:
            self.page.locator(selector).fill(text)

    def date(self, selector: str, iso: str):
        """A date input, typed in its segments. Their order is the browser's
        (month first in Debian's chromium whatever the page's locale): a
        date whose day and month are the same reads the same either way."""
        year, month, day = iso.split("-")
        if self.keyboard:
            assert month == day, (
                "a date typed in segments must not depend on their order"
            )
            self.reach(selector)
            for part in (day, month, year):
                self.page.keyboard.type(part)
        else:
            self.page.locator(selector).fill(iso)
        expect(self.page.locator(selector)).to_have_value(iso)

    def tick(self, selector: str):
        """A checkbox, ticked."""
        if self.keyboard:
            self.reach(selector)
            self.page.keyboard.press("Space")
        else:
            self.page.locator(selector).check()
        expect(self.page.locator(selector)).to_be_checked()

    def choose(self, name: str, value: str):
        """A radio button: Tab enters the group, the arrows move in it."""
        selector = f"input[type=radio][name={name}][value={value}]"
        if self.keyboard:
            self.reach(f"input[type=radio][name={name}]")
            group = self.page.locator(f"input[type=radio][name={name}]").count()
            for _ in range(group):
                if self._focused(selector):
                    break
                self.page.keyboard.press("ArrowDown")
            self.page.keyboard.press("Space")
        else:
            self.page.locator(selector).check()
        expect(self.page.locator(selector)).to_be_checked()

    def press(self, selector: str):
        """A button or a link."""
        if self.keyboard:
            self.reach(selector)
            self.page.keyboard.press("Enter")
        else:
            self.page.locator(selector).click()

    def attach(self, selector: str, files):
        """A file input: the chooser opened with Enter, or the pointer."""
        if self.keyboard:
            self.reach(selector)
            with self.page.expect_file_chooser() as chooser:
                self.page.keyboard.press("Enter")
            chooser.value.set_files(files)
        else:
            with self.page.expect_file_chooser() as chooser:
                self.page.locator(selector).click()
            chooser.value.set_files(files)


class Desk:
    """One browser context (one device) of one person, its CSP refusals
    watched on every page."""

    def __init__(self, chromium, live_server, run: Run):
        self.run = run
        self.context = chromium.new_context(base_url=live_server.url, locale="en-GB")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        self.hands = Hands(self.page, keyboard=run.keyboard)

    def check_page(self):
        """What every page must hold: the language chosen, no refusal."""
        if self.run.language == "ar":
            expect(self.page.locator("html[dir=rtl][lang=ar]")).to_have_count(1)
        else:
            expect(self.page.locator("html[dir=ltr][lang=en]")).to_have_count(1)
        assert self.watch.refused() == []
        assert self.hands.unseen_focus == []

    def log_in(self, username: str):
        hands = self.hands
        self.page.goto("/accounts/login/")
        hands.tour()
        hands.type("#id_username", username)
        hands.type("#id_password", PASSWORD)
        hands.press("form[action$='/accounts/login/'] button[type=submit]")
        self.page.wait_for_url(on_home_page)
        # The language, as a person changes it: the switcher in the header,
        # which posts Django's set_language and comes back.
        if self.run.language != "en":
            hands.press(f".language-switch button[value={self.run.language}]")
        expect(self.page.locator(f"html[lang={self.run.language}]")).to_have_count(1)
        hands.tour()
        self.check_page()

    def step_is(self, testimony_or_none, step: str):
        if testimony_or_none is None:
            pattern = re.escape(reverse("testimonies:record-start")) + "$"
        else:
            pattern = re.escape(step_url(testimony_or_none, step)) + "$"
        expect(self.page).to_have_url(re.compile(pattern))
        current = self.page.locator("[aria-current=step]")
        expect(current).to_have_count(1)
        self.hands.tour()
        self.check_page()

    def next_step(self):
        self.hands.press("form.recording-form button[name=go][value=next]")

    def close(self):
        self.check_page()
        self.context.close()


def step_url(testimony, step):
    return reverse(
        "testimonies:record-step",
        kwargs={"public_id": testimony.public_id, "step": step},
    )


def served(desk: Desk, url: str) -> bytes:
    response = desk.context.request.get(url)
    assert response.status == 200, url
    return response.body()


@pytest.mark.parametrize("run", RUNS)
def test_a_testimony_with_a_photo_recorded_resumed_submitted_and_seen(
    chromium, live_server, coast, documenter, moderator, second_factor, run
):
    photo = photo_bytes(size=(320, 240))
    original_sha256 = hashlib.sha256(photo).hexdigest()

    desk = Desk(chromium, live_server, run)
    hands, page = desk.hands, desk.page
    desk.log_in("documenter")
    # Links end with the English address: in Arabic they begin with /ar/.
    hands.press(f"header a[href$='{reverse('testimonies:record-start')}']")
    desk.step_is(None, "witness")

    # 1. The witness: the identity goes to the vault, the pseudonym back.
    hands.type("#id_name", "Ysolde Marrankov")
    hands.type("#id_contact", "+963-977-000-111")
    hands.type("#id_birth_year", "1961")
    hands.choose("gender", "female")
    desk.next_step()
    expect(page).to_have_url(re.compile(r"/record/account/$"))
    testimony = Testimony.objects.get(recorded_by=documenter)
    desk.step_is(testimony, "account")
    expect(page.locator(".messages")).to_contain_text(testimony.witness.pseudonym)

    # 2. The account, in the interface's language.
    hands.choose("language", run.language)
    hands.type("#id_narrative", run.narrative)
    hands.type("#id_summary", run.summary)
    desk.next_step()
    desk.step_is(testimony, "when-where")

    # 3. When and where: the place picker, by keyboard in both runs (it is
    # a combobox: typing, the arrows and Enter are how it is used).
    hands.type("#id_incident_start", "2025-03-07")
    picker = page.locator("#id_place_query")
    if run.keyboard:
        hands.reach("#id_place_query")
    else:
        picker.focus()
    page.keyboard.type(run.place_query)
    expect(page.locator("[role=option]").first).to_contain_text(
        "Hai Al Kusour" if run.language == "en" else "حي القصور"
    )
    expect(picker).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", "place-option-0")
    page.keyboard.press("Enter")
    expect(page.locator("input[type=hidden][name=places]")).to_have_value(
        "hai-al-kusour"
    )
    expect(picker).to_be_focused()
    expect(picker).to_have_attribute("aria-expanded", "false")
    hands.tour()  # the chip's remove button too
    desk.next_step()
    desk.step_is(testimony, "what")

    # 4. What happened.
    hands.tick("input[name=event_types][value=killing]")
    hands.type("#id_persons_named", "Samir")
    desk.next_step()
    desk.step_is(testimony, "media")

    # 5. The photo, straight from the phone: GPS and serial in its EXIF.
    hands.attach(
        "#attachment_file",
        {"name": PHOTO_NAME, "mimeType": "image/jpeg", "buffer": photo},
    )
    hands.type("#attachment_description", run.description)
    hands.press(".upload-form button[type=submit]")
    desk.step_is(testimony, "media")
    attachment = Attachment.objects.get(testimony=testimony)
    custody = AttachmentCustody.objects.get(attachment_public_id=attachment.public_id)
    assert attachment.sha256 == custody.sha256 == original_sha256
    card = page.locator(".attachments .attachment")
    expect(card).to_have_count(1)
    expect(card.locator("img")).to_have_attribute("alt", run.description)
    # Continue sends the upload form: with no file chosen, it moves on.
    hands.press("button[form=attachment-upload][name=go][value=next]")
    desk.step_is(testimony, "consent")
    # Half-way, the page is closed: the browser and its session are gone.
    desk.close()

    # Later, on another device: Resume opens the first step not done.
    desk = Desk(chromium, live_server, run)
    hands, page = desk.hands, desk.page
    desk.log_in("documenter")
    hands.press(f"header a[href$='{reverse('testimonies:mine')}']")
    expect(page).to_have_url(re.compile(re.escape(reverse("testimonies:mine"))))
    hands.tour()
    hands.press(f".row-actions a[href$='{step_url(testimony, 'consent')}']")
    desk.step_is(testimony, "consent")

    # 6. Consent, kept in the archive only.
    hands.tick("input[name=archive]")
    for point in ("purpose", "audience", "risks", "withdrawal"):
        hands.tick(f"input[name=explained_{point}]")
    hands.choose("method", "oral")
    hands.date("#id_obtained_on", "2025-03-03")
    hands.choose("witness_is_minor", "no")
    hands.choose("images", "researchers")
    hands.press("form.consent-form button[type=submit]")
    desk.step_is(testimony, "review")

    # 7. Review: the photo that will be submitted, through the media view.
    expect(page.locator("main")).to_contain_text(run.narrative)
    expect(page.locator("main")).not_to_contain_text("Ysolde")
    listed = page.locator(f"#review-attachment-{attachment.public_id}")
    expect(listed).to_contain_text(PHOTO_NAME)
    expect(listed.locator("img")).to_have_attribute("alt", run.description)
    thumbnail = listed.locator("img")
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    hands.press(f"form[action$='{step_url(testimony, 'review')}'] button")
    expect(page).to_have_url(re.compile(re.escape(reverse("testimonies:mine")) + "$"))
    expect(page.locator(".messages .success")).to_have_count(1)
    testimony.refresh_from_db()
    assert testimony.status == "submitted"
    desk.close()

    # The moderator, past the second factor, finds it with its photo.
    device = second_factor(moderator)
    desk = Desk(chromium, live_server, run)
    hands, page = desk.hands, desk.page
    desk.log_in("moderator")
    hands.press(f"header a[href$='{reverse('moderation:queue')}']")
    expect(page).to_have_url(re.compile(re.escape(reverse("two-factor"))))
    hands.type("#id_code", f"{totp(device.bin_key):06d}")
    hands.press("form[action$='/accounts/two-factor/'] button[type=submit]")
    review_url = reverse("moderation:review", kwargs={"public_id": testimony.public_id})
    hands.press(f"main a[href$='{review_url}']")
    expect(page).to_have_url(re.compile(re.escape(review_url) + "$"))
    hands.tour()
    desk.check_page()
    shown = page.locator(".attachments-panel .attachment")
    expect(shown).to_have_count(1)
    image = shown.locator("img")
    expect(image).to_have_attribute("alt", run.description)
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0

    # Every copy the site serves is clean; the original, kept sealed, is the
    # photo as received, its SHA-256 the one on the custody entry.
    copies = [
        image.get_attribute("src"),
        shown.locator("a.attachment-thumb").get_attribute("href"),
    ]
    copies += [
        reverse(
            "testimonies:attachment-file",
            kwargs={
                "public_id": testimony.public_id,
                "attachment_id": attachment.public_id,
                "variant": variant,
            },
        )  # fmt: skip
        for variant in ("public", "public-thumb")
    ]
    for url in copies:
        data = served(desk, url)
        assert metadata_problems(data) == [], url
        assert not Image.open(io.BytesIO(data)).getexif()
    original = served(
        desk, shown.locator("a[href$='/original/']").get_attribute("href")
    )
    assert hashlib.sha256(original).hexdigest() == custody.sha256
    assert SERIAL.encode() in original
    desk.close()
