"""What people do with the archive, in a real browser: search, narrow by a
facet, open a testimony; sign in and see more; read it in Arabic."""

import re

from playwright.sync_api import expect

from tests.markers import committed_db

pytestmark = committed_db


def results(page):
    return page.locator("ol.results > li.result")


def test_public_search_filter_by_facet_and_open_a_result(page, archive):
    page.goto("/")
    page.get_by_role("searchbox").fill("Banias")
    page.get_by_role("searchbox").press("Enter")

    # Only the two approved, publicly consented Banias accounts.
    expect(page.locator(".counts")).to_have_text("2 testimonies found")
    expect(results(page)).to_have_count(2)
    expect(page.locator("mark").first).to_have_text("Banias")

    # Ticking a facet narrows at once.
    facet = page.locator('fieldset[data-facet="community"]')
    facet.get_by_role("checkbox", name=re.compile(r"^Sunni\b")).check()
    expect(page).to_have_url(re.compile(r"community=sunni"))
    expect(results(page)).to_have_count(1)
    expect(facet.get_by_role("checkbox", name=re.compile(r"^Sunni\b"))).to_be_checked()

    results(page).first.get_by_role("link").click()
    testimony = archive["banias"]
    expect(page).to_have_url(re.compile(testimony.public_id))
    pseudonym = testimony.witness.pseudonym
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Testimony of {pseudonym}"
    )
    narrative = page.locator(".narrative")
    expect(narrative).to_contain_text(f"[{pseudonym}]")
    expect(narrative).not_to_contain_text("Ali")
    expect(page.locator(".trails")).to_contain_text("Tartus Governorate › Banias")
    # Neither the original text nor the consent history for the public.
    expect(page.get_by_text("Show the original text")).to_have_count(0)
    expect(page.locator(".consent-table")).to_have_count(0)


def open_before_the_script(page, url):
    """Open `url` with its search script held back, as on a slow line: the
    page is readable, and its controls usable, before the script arrives.
    Returns a function that lets the script through."""
    held = []

    def hold(route):
        # Only the first page's script is held; later pages get theirs.
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/js/search.js", hold)
    page.goto(url, wait_until="commit")
    expect(page.locator(".counts")).to_have_text("2 testimonies found")

    def let_through():
        page.wait_for_timeout(100)
        assert len(held) == 1, "the script arrived before the change"
        assert page.url.endswith(url), "the change applied without the script"
        held[0].continue_()

    return let_through


def test_a_facet_ticked_before_the_script_arrived_still_applies(page, archive):
    """A tick made before the script arrived must not be lost: the results
    would then contradict the ticked box."""
    let_through = open_before_the_script(page, "/search/?q=Banias")
    facet = page.locator('fieldset[data-facet="community"]')
    facet.get_by_role("checkbox", name=re.compile(r"^Sunni\b")).check()
    let_through()
    expect(page).to_have_url(re.compile(r"community=sunni"))
    expect(results(page)).to_have_count(1)
    expect(facet.get_by_role("checkbox", name=re.compile(r"^Sunni\b"))).to_be_checked()


def test_an_order_chosen_before_the_script_arrived_still_applies(page, archive):
    let_through = open_before_the_script(page, "/search/?q=Banias")
    order = page.get_by_role("combobox", name="Sort by")
    order.select_option("incident-newest")
    let_through()
    expect(page).to_have_url(re.compile(r"sort=incident-newest"))
    expect(order).to_have_value("incident-newest")


def test_a_place_filter_takes_in_every_place_under_it(page, archive, coast):
    page.goto("/search/")
    places = page.locator('fieldset[data-facet="place"]')
    places.get_by_role("checkbox", name=re.compile(r"^Tartus Governorate\b")).check()
    expect(page).to_have_url(re.compile(r"place=tartus-governorate"))
    # Banias, Hai Al Kusour (under Banias) and Tartus 2013: public ones only.
    expect(results(page)).to_have_count(3)
    expect(page.locator(".counts")).to_have_text("3 testimonies found")


def test_a_researcher_signs_in_and_sees_researcher_only_accounts(
    page, log_in, archive, researcher
):
    page.goto("/search/?q=Banias")
    expect(results(page)).to_have_count(2)
    log_in("researcher")
    expect(page.locator(".role-badge")).to_have_text("Researcher")
    page.goto("/search/?q=Banias")
    expect(results(page)).to_have_count(3)
    expect(page.get_by_text("researchers-only account")).to_be_visible()


def test_the_archive_reads_right_to_left_in_arabic(page, archive):
    page.goto("/search/")
    page.locator("button[name=language][value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.get_by_role("searchbox").fill("جبلة")
    page.get_by_role("searchbox").press("Enter")
    expect(results(page)).to_have_count(1)
    expect(results(page).first.locator("mark")).to_have_text("جبلة")
    # The search page's layout mirrors: the facets sit left of the results.
    facets = page.locator("aside.facets").bounding_box()
    main = page.locator(".search-main").bounding_box()
    assert facets["x"] < main["x"]


def test_two_places_ticked_one_after_the_other_find_either(page, archive):
    page.goto("/search/")
    places = page.locator('fieldset[data-facet="place"]')
    places.get_by_role("checkbox", name=re.compile(r"^Banias\b")).check()
    expect(page).to_have_url(re.compile(r"place=banias"))
    expect(results(page)).to_have_count(2)
    # Jableh is still offered beside the ticked Banias, with what it adds.
    jableh = places.get_by_role("checkbox", name=re.compile(r"^Jableh\b"))
    expect(jableh).not_to_be_checked()
    expect(places.locator('label:has(input[value="jableh"]) .count')).to_have_text("1")
    jableh.check()
    expect(page).to_have_url(re.compile(r"place=jableh&place=banias"))
    expect(page.locator(".counts")).to_have_text("3 testimonies found")
    expect(results(page)).to_have_count(3)
    banias = places.get_by_role("checkbox", name=re.compile(r"^Banias\b"))
    expect(banias).to_be_checked()
    expect(
        places.get_by_role("checkbox", name=re.compile(r"^Jableh\b"))
    ).to_be_checked()


def test_the_syntax_help_and_an_or_search_in_arabic(page, archive):
    page.goto("/search/")
    page.locator("#search-syntax summary").click()
    expect(page.locator("#search-syntax")).to_contain_text("banias OR jableh")
    page.get_by_role("searchbox").fill("بانياس OR جبلة")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".counts")).to_have_text("3 testimonies found")


def test_going_back_shows_the_boxes_the_results_were_built_with(page, archive):
    """Browsers put back what was ticked on a page left and returned to,
    but the results come from its address. A ticked box over results that
    ignore it would mislead; and, applied at once, it would push the reader
    forward again instead of back."""
    page.goto("/search/?q=Banias")
    sunni = page.locator('fieldset[data-facet="community"]').get_by_role(
        "checkbox", name=re.compile(r"^Sunni\b")
    )
    sunni.check()
    expect(page).to_have_url(re.compile(r"community=sunni"))
    page.go_back()
    expect(page.locator(".counts")).to_have_text("2 testimonies found")
    page.wait_for_load_state()
    expect(sunni).not_to_be_checked()
    assert page.url.endswith("/search/?q=Banias")
