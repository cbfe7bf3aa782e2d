"""The screens at 360 x 740 with a gloved thumb: targets of 48 px, nothing
under the bottom bars, focus rings where they help and not elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import sign_in
from tests.pwa.test_field_work import open_order

pytestmark = pytest.mark.browser


def chip_boxes(page: Any) -> list[dict[str, float]]:
    chips = page.locator(".day-chip")
    chips.nth(6).wait_for()
    assert chips.count() == 7
    return [chips.nth(i).bounding_box() for i in range(7)]


def test_day_chips_are_48_px_at_360_wide_without_sideways_scrolling(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "employee@demo.test")

    for route in ("/#/time", "/#/entry/new"):
        page.goto(route)
        boxes = chip_boxes(page)

        assert min(box["width"] for box in boxes) >= 48, (route, boxes)
        assert min(box["height"] for box in boxes) >= 48, (route, boxes)
        assert len({round(box["y"]) for box in boxes}) == 1, "one row of seven"
        assert boxes[0]["x"] >= 0 and boxes[6]["x"] + boxes[6]["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


# Run in the page: every control outside the sticky action bar, brought
# into view the way the browser does for the focus, is what a finger on
# its centre touches: neither the bottom navigation nor the action bar
# covers it. Answers the controls that were covered.
COVERED = """() => {
  const covered = [];
  const controls = document.querySelectorAll(
    "main a, main button, main input, main textarea, main select");
  for (const el of controls) {
    if (el.closest(".actionbar")) continue;
    el.scrollIntoView({block: "nearest"});
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2,
      box.bottom - 4);
    if (!hit || !(el === hit || el.contains(hit) || hit.contains(el))) {
      covered.push(`${el.outerHTML.slice(0, 80)} under ${hit?.outerHTML.slice(0, 60)}`);
    }
  }
  return covered;
}"""

# At the end of the page the last control clears the bars.
AT_THE_END = """() => {
  window.scrollTo(0, document.documentElement.scrollHeight);
  const nav = document.getElementById("nav").getBoundingClientRect();
  const bar = document.querySelector("main .actionbar")?.getBoundingClientRect();
  const controls = [...document.querySelectorAll("main a, main button, main textarea")]
    .filter((el) => !el.closest(".actionbar"));
  const last = controls[controls.length - 1].getBoundingClientRect();
  return {last: last.bottom, bar: bar ? bar.top : null, barEnd: bar ? bar.bottom : null,
    nav: nav.top};
}"""


def test_nothing_is_hidden_behind_the_bottom_bars(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")

    open_order(page, "SO-2026-0101")
    # On arrival, where to go and whom to call are in sight, above the
    # sticky "Start the visit".
    bar_top = page.locator("main .actionbar").bounding_box()["y"]
    for link in ("a[href^='geo:']", "a[href^='tel:']"):
        box = page.locator(link).bounding_box()
        assert box["y"] + box["height"] <= bar_top, (link, box, bar_top)
    assert page.evaluate(COVERED) == []
    maps = page.locator("a[href^='geo:']")
    maps.scroll_into_view_if_needed()
    maps.click(trial=True, timeout=2000)
    end = page.evaluate(AT_THE_END)
    assert end["last"] <= end["bar"] <= end["barEnd"] <= end["nav"], end

    page.goto("/#/time")
    page.locator(".day-chip").first.wait_for()
    assert page.evaluate(COVERED) == []
    page.goto("/#/orders")
    page.locator(".order-card").first.wait_for()
    assert page.evaluate(COVERED) == []
    end = page.evaluate(AT_THE_END)
    assert end["last"] <= end["nav"], end


def outline_of(page: Any, selector: str) -> str:
    return str(
        page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).outlineStyle")
    )


def test_main_takes_the_focus_after_a_route_change_without_a_ring(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")

    # Keyboard users move from screen to screen too: the browser would
    # draw a ring around all of main after such a move.
    page.locator(".order-card").first.focus()
    page.keyboard.press("Enter")
    page.locator(".order-head").wait_for()

    assert page.evaluate("document.activeElement.id") == "main"
    assert outline_of(page, "main") == "none"
    # Controls keep theirs for the keyboard.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
