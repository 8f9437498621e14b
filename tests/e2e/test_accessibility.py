"""Every page people use passes an automated accessibility scan (axe-core,
shipped inside axe-playwright-python: nothing is fetched at run time), in
English and in Arabic, in a real browser.

A page is added to the scan with one line in PAGES: a name, the role that
opens it (None: the public) and how to find its address in the scene.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone

from archive.models import Invitation
from research.services import collection_add, collection_create
from tests import factories
from tests.databases import markup_only
from tests.e2e.sessions import at, reading_as
from tests.markers import committed_db

pytestmark = committed_db

# What fails the scan. Axe's "moderate" and "minor" findings are fixed as
# they come but do not fail the build.
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None
    path: Callable[[dict], str]
    # Optional steps after loading (a form sent with errors, say).
    then: Callable | None = None

    def __str__(self):
        return self.name


def refused_login(page):
    page.locator("#id_username").fill("nobody")
    page.locator("#id_password").fill("wrong password")
    page.locator("form.stacked button[type=submit]").click()


def research_collection_url(scene):
    """A researcher's collection holding one testimony, and its page."""
    owner = get_user_model().objects.get(username="researcher")
    collection = collection_create(owner=owner, name="Banias, 7 March")
    collection_add(collection=collection, testimony=scene["kusour"])
    return f"/research/collections/{collection.public_id}/"


RECORDING_STEPS = [
    "witness",
    "account",
    "when-where",
    "what",
    "media",
    "consent",
    "review",
]

PAGES = [
    Page("home", None, lambda scene: "/"),
    Page("search", None, lambda scene: "/search/?q=Banias&community=alawite"),
    Page("search-researcher", "researcher", lambda scene: "/search/?q=Banias"),
    Page("testimony", None, lambda scene: scene["kusour"].get_absolute_url()),
    Page("testimony-moderator", "moderator", lambda s: s["kusour"].get_absolute_url()),
    Page("search-bad-date", None, lambda scene: "/search/?date_from=1st+of+March"),
    Page("login", None, lambda scene: "/accounts/login/"),
    Page("login-refused", None, lambda scene: "/accounts/login/", then=refused_login),
    Page("my-testimonies", "documenter", lambda scene: "/testimonies/mine/"),
    Page(
        "consent-form",
        "documenter",
        lambda scene: f"/testimonies/{scene['draft'].public_id}/consent/",
    ),
    Page(
        "consent-form-errors",
        "documenter",
        lambda scene: f"/testimonies/{scene['draft'].public_id}/consent/",
        then=lambda page: page.locator(".consent-form button[type=submit]").click(),
    ),
    Page("review-queue", "moderator", lambda scene: "/moderation/"),
    Page(
        "review-queue-filtered",
        "moderator",
        lambda scene: "/moderation/?state=any&assigned=nobody&sort=documenter",
    ),
    Page(
        "my-testimonies-filtered",
        "documenter",
        lambda scene: "/testimonies/mine/?state=draft&waited=nonsense",
    ),
    Page(
        "review",
        "moderator",
        lambda scene: f"/moderation/{scene['resubmitted'].public_id}/",
    ),
    Page(
        "review-errors",
        "moderator",
        lambda scene: f"/moderation/{scene['resubmitted'].public_id}/",
        then=lambda page: page.locator("button[value=sent_back]").click(),
    ),
    Page("research-home", "researcher", lambda scene: "/research/"),
    Page(
        "testimony-researcher", "researcher", lambda s: s["kusour"].get_absolute_url()
    ),
    Page(
        "research-testimony",
        "researcher",
        lambda scene: f"/research/testimonies/{scene['kusour'].public_id}/",
    ),
    Page("research-collection", "researcher", research_collection_url),
    Page("audit-log", "moderator", lambda scene: "/audit/?date_from=yesterday"),
    Page(
        "accountability-package", "moderator", lambda scene: "/accountability/package/"
    ),
    Page("signing-key", None, lambda scene: "/keys/"),
    Page("accounts", "moderator", lambda scene: "/accounts/roles/"),
    Page("invite", "moderator", lambda scene: "/accounts/invite/"),
    Page(
        "invite-errors",
        "moderator",
        lambda scene: "/accounts/invite/",
        then=lambda page: (
            page.locator("#id_email").fill("not an address"),
            page.locator("#id_username").fill("amal"),
            page.locator("form.stacked button[type=submit]").click(),
        ),
    ),
    Page("invitation", None, lambda scene: "/accounts/invitation/"),
    Page("account-settings", "documenter", lambda scene: "/accounts/settings/"),
    Page("password-reset", None, lambda scene: "/accounts/password-reset/"),
    Page("password-reset-sent", None, lambda scene: "/accounts/password-reset/sent/"),
    Page("password-reset-link", None, lambda scene: "/accounts/reset/"),
    Page(
        "password-reset-spent", None, lambda scene: "/accounts/reset/MQ/set-password/"
    ),
    Page("record-start", "documenter", lambda scene: "/testimonies/record/"),
    *(
        Page(
            f"record-{step}",
            "documenter",
            lambda scene, step=step: (
                f"/testimonies/{scene['draft'].public_id}/record/{step}/"
            ),
        )
        for step in RECORDING_STEPS
    ),
    Page(
        "record-account-errors",
        "documenter",
        lambda scene: f"/testimonies/{scene['draft'].public_id}/record/account/",
        then=lambda page: (
            page.locator("#id_narrative").fill(""),
            page.locator("button[name=go][value=next]").click(),
        ),
    ),
]

LANGUAGES = ["en", "ar"]


@pytest.fixture
def scene(archive, documenter, researcher, moderator):
    """The shared archive plus a draft waiting for consent and a testimony
    sent back once and submitted again (so the review page shows a diff)."""
    from testimonies.consent.services.review import (
        testimony_send_back,
        testimony_submit,
    )

    draft = factories.testimony(status="draft", recorded_by=documenter, consent={})
    resubmitted = factories.testimony(
        status="submitted",
        recorded_by=documenter,
        witness_name="Samir Khoury",
        narrative="Samir Khoury saw the convoy pass through Banias at dawn.",
        places=[archive["kusour"].places.first()],
        persons_named=["Nour Saleh"],
    )
    testimony_send_back(
        testimony=resubmitted, reviewer=moderator, comment="Say which street."
    )
    resubmitted.refresh_from_db()
    resubmitted.narrative += " It was on the coast road."
    resubmitted.save()
    testimony_submit(testimony=resubmitted, user=documenter)
    # A pending invitation, for the accounts page's second table.
    now = timezone.now()
    Invitation.objects.create(
        email="amal@example.org", username="amal", role="documenter",
        token_sha256="0" * 64, invited_by=moderator, sent_at=now,
        expires_at=now + datetime.timedelta(hours=72),
    )  # fmt: skip
    return {**archive, "draft": draft, "resubmitted": resubmitted}


def serious_violations(results):
    return [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def problems_on(page, live_server, scene, target, language) -> list[str]:
    """What keeps `target` in `language` from passing: its answer, its
    language and direction, and axe's serious findings."""
    reading_as(page, live_server, target.role, language)

    response = page.goto(at(target.path(scene), language))
    if response.status != 200:
        return [f"answered {response.status} at {response.url}"]
    if target.then:
        target.then(page)
        page.wait_for_load_state("load")
    problems = []
    direction = "rtl" if language == "ar" else "ltr"
    html = page.locator("html")
    if (html.get_attribute("lang"), html.get_attribute("dir")) != (language, direction):
        problems.append(f"<html> does not say lang={language} dir={direction}")
    violations = serious_violations(Axe().run(page))
    if violations:
        problems.append(describe(violations))
    return problems


# One test per language walks every page: the pages only read the scene, so
# it is built once rather than once per page, and they share the test's tab,
# whose cookies are cleared before each page (a new browser context per page
# cost more than the scan itself). Every page's problems are reported together.
@markup_only
@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_has_a_serious_accessibility_violation(
    page, live_server, scene, language
):
    problems = {}
    for target in PAGES:
        page.context.clear_cookies()
        found = problems_on(page, live_server, scene, target, language)
        if found:
            problems[str(target)] = found
    assert not problems, "\n".join(
        f"{name} in {language}:\n" + "\n".join(found)
        for name, found in problems.items()
    )


def test_the_scan_finds_a_serious_violation_when_there_is_one(page, live_server, db):
    # The scan above would notice a page that broke the rules: an image with
    # no text alternative and a field with no label.
    page.goto("/")
    page.evaluate(
        """() => {
          const image = document.createElement("img");
          image.src = "/static/css/archive.css";
          document.querySelector("main").appendChild(image);
          const field = document.createElement("input");
          document.querySelector("main").appendChild(field);
        }"""
    )
    found = {v["id"] for v in serious_violations(Axe().run(page))}
    assert {"image-alt", "label"} <= found, found
