"""Journey pages in real Chromium: accessible, including their error states, with and without JS."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .pages import assert_accessible, fill

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [412, 1280])
@pytest.mark.parametrize(
    "url_name", ["before_you_start", "call_999", "expired", "staying_safe", "replies"]
)
def test_information_pages_are_accessible_and_offer_exit(live_server, page, url_name, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + reverse(f"referrals:{url_name}"))

    assert response.status == 200
    expect(page.locator(".govuk-exit-this-page__button")).to_be_visible()
    assert_accessible(page)


def test_questions_and_their_error_states_are_accessible(live_server, page):
    page.goto(live_server.url + reverse("referrals:before_you_start"))
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()  # no answer given
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("A professional").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which sector do you work in?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_immediate_danger_leads_to_the_999_page_without_javascript(live_server, no_js_page):
    no_js_page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": "safety"}))
    no_js_page.get_by_label("Yes").check()
    no_js_page.get_by_role("button", name="Continue").click()

    expect(no_js_page.locator("h1")).to_have_text("Call 999 now")


def test_exit_this_page_leaves_for_the_neutral_site(live_server, page):
    leaving = []
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: (leaving.append(route.request.url), route.fulfill(body="weather")),
    )
    page.goto(live_server.url + reverse("referrals:before_you_start"))

    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url("https://www.bbc.co.uk/**")

    assert leaving == ["https://www.bbc.co.uk/weather"]


# What of the element with this id, and of its label or legend, lies under the sticky "Exit this
# page" button: WCAG 2.2 SC 2.4.11, focus not obscured.
_UNDER_EXIT_BUTTON = """(id, withQuestion = true) => {
  const exit = document.querySelector('.govuk-exit-this-page');
  const target = document.getElementById(id);
  if (!exit || !target) return [];
  const label = withQuestion && document.querySelector(`label[for="${id}"]`);
  const fieldset = target.closest('fieldset');
  // A legend is the question for the group's first control; a later one has its own label.
  const first = fieldset && fieldset.querySelector('input, textarea, select') === target;
  const legend = withQuestion && first && fieldset.querySelector('legend');
  const cover = exit.getBoundingClientRect();
  return [target, label, legend].filter(Boolean).map((element) => {
    const box = element.getBoundingClientRect();
    const across = box.left < cover.right && box.right > cover.left;
    const down = box.top < cover.bottom - 0.5 && box.bottom > cover.top;
    return across && down ? `${element.tagName} ${Math.round(box.top)} < ${cover.bottom}` : null;
  }).filter(Boolean);
}"""


def _follow_every_summary_link(page, slug, javascript=True):
    """Each error summary link moves focus to the input it names (GOV.UK's error summary), or
    without JavaScript jumps to it; neither the input nor its label or legend lands under the
    sticky "Exit this page" button."""
    links = page.locator(".govuk-error-summary__list a")
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href").removeprefix("#")
        page.evaluate("window.scrollTo(0, 0)")
        links.nth(index).click()
        if javascript:
            focused = page.evaluate("document.activeElement && document.activeElement.id")
            assert focused == target, (slug, target, focused)
        else:
            assert page.evaluate("document.querySelector(':target').id") == target, slug
        hidden = page.evaluate(_UNDER_EXIT_BUTTON, target)
        assert not hidden, (slug, target, hidden)


def _focus_under_exit_button(page, steps=60):
    """Tab down through the page and Shift+Tab back up, as a keyboard user would; the focused
    elements that land under the sticky button."""
    page.evaluate("window.scrollTo(0, 0)")
    hidden = []
    for key in ["Tab"] * steps + ["Shift+Tab"] * steps:
        page.keyboard.press(key)
        found = page.evaluate(
            """(check) => {
              const el = document.activeElement;
              if (!el || el === document.body || el.closest('.govuk-exit-this-page')) return [];
              if (!el.id) el.id = 'focus-probe-' + Math.random().toString(36).slice(2);
              // SC 2.4.11 is about the focused control: its question may rightly scroll away.
              return eval(check)(el.id, false).map((text) => `${el.id}: ${text}`);
            }""",
            _UNDER_EXIT_BUTTON,
        )
        hidden.extend(found)
    return hidden


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("journey", ["public", "professional"])
def test_nothing_focused_hides_under_exit_this_page_on_a_phone(
    live_server, browser, journey, javascript
):
    """WCAG 2.2 SC 2.4.11 at 412 x 600: every error-summary link's target, its label and legend,
    and everything reached with Tab or Shift+Tab, land below GOV.UK's sticky "Exit this page"
    button."""
    from ..journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS

    answers = PUBLIC_ANSWERS if journey == "public" else PROFESSIONAL_ANSWERS
    context = browser.new_context(
        viewport={"width": 412, "height": 600}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:before_you_start"))
    for slug, data in answers.items():
        page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        page.get_by_role("button", name="Continue").click()
        if page.locator(".govuk-error-summary").count():
            _follow_every_summary_link(page, slug, javascript)
            assert not _focus_under_exit_button(page), slug
        page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    assert not _focus_under_exit_button(page, steps=80)
    context.close()


@pytest.mark.parametrize("width", [412, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("journey", ["public", "professional"])
def test_every_question_page_is_accessible_and_complete(
    live_server, browser, javascript, journey, width
):
    from ..journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS

    answers = PUBLIC_ANSWERS if journey == "public" else PROFESSIONAL_ANSWERS
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:before_you_start"))
    for slug, data in answers.items():
        page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        assert page.locator("h1").count() == 1, slug
        if javascript:
            assert_accessible(page)
        page.get_by_role("button", name="Continue").click()
        if page.locator(".govuk-error-summary").count():  # a page with a required answer
            assert page.title().startswith("Error:"), slug
            if javascript:
                assert_accessible(page)
                _follow_every_summary_link(page, slug)
            page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        else:
            page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
        expect(page).not_to_have_url(re.compile(f"/{slug}/$"))  # answered: moved on
        assert page.locator(".govuk-error-summary").count() == 0, slug
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    if javascript:
        assert_accessible(page)
    context.close()


@pytest.mark.parametrize("width", [412, 1280])
def test_dates_and_exclusive_answers_in_error_are_accessible(live_server, browser, width):
    from ..journeys import PUBLIC_ANSWERS, before

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:before_you_start"))
    for slug, data in before(PUBLIC_ANSWERS, "age").items():
        page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        if slug == "concern":  # "I am not sure" unticks the others, with JavaScript
            fill(page, {"concern_types": ["islamist", "not_sure"]})
            expect(page.locator('[name="concern_types"][value="islamist"]')).not_to_be_checked()
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
    fill(page, {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2010"})
    page.get_by_role("button", name="Continue").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date of birth must be a real date"
    )
    assert_accessible(page)
    _follow_every_summary_link(page, "age")
    context.close()
