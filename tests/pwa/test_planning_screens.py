"""The manager's planning screens on a phone: who is free for an affair,
and a proposal for the demo's open actions, booked in part."""

from __future__ import annotations

from typing import Any

import pytest

from backend.demo import WORK_TO_PLAN
from tests.pwa.conftest import Server, sign_in
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
WORDS = {
    "en": {
        "available": "Who is available",
        "plan": "Plan open actions",
        "search": "Find who is free",
        "propose": "Propose a plan for 5 actions",
        "placed": "4 actions placed",
        "not_placed": "1 action cannot be placed",
        "book": "Book 3 ticked",
        "booked": "3 actions booked",
        "offline": "You are offline: planning needs a connection",
    },
    "fr": {
        "available": "Qui est disponible",
        "plan": "Planifier les actions",
        "search": "Chercher qui est libre",
        "propose": "Proposer un planning pour 5 actions",
        "placed": "4 actions placées",
        "not_placed": "1 action ne peut pas être placée",
        "book": "Réserver 3 cochées",
        "booked": "3 actions réservées",
        "offline": "Vous êtes hors ligne\u00a0: la planification demande une connexion",
    },
}
# The demo's work nobody has the skill for ("refrigeration").
NOBODY_CAN = "Pré-étude climatisation des chambres"
WORK_TITLES = {title for _, title, _, _, _ in WORK_TO_PLAN}


def open_from_me(page: Any, label: str) -> None:
    page.goto("/#/me")
    page.locator(".desk-links a", has_text=label).click()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_finds_who_is_free_for_an_affair(phone: Any, language: str) -> None:
    words = WORDS[language]
    page = phone(locale=LOCALES[language]).new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    page.goto("/#/me")
    page.locator(".desk-links").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "office")
    open_from_me(page, words["available"])
    page.locator("#available-affair").select_option(
        label="AFF-2026-001 · Remplacement chaufferie Clinique du Parc"
    )
    page.locator("#available-days").fill("2" if language == "en" else "1,5")
    page.locator("#available-days").dispatch_event("change")
    page.locator(".skills .option", has_text="heating" if language == "en" else "chauffage").click()
    page.locator("#available-search").click()

    result = page.locator("#available-result")
    result.locator(".person-free").first.wait_for()
    names = result.locator(".person-free .card-title").all_inner_texts()
    assert {"Thomas Martin", "Sofia Benali", "Marie Dubois"} <= {n.strip() for n in names}
    assert "Julien Petit" not in " ".join(names)  # a plumber, not a heating engineer
    result.scroll_into_view_if_needed()
    shoot(page, language, "planning-available")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_books_part_of_a_proposal(phone: Any, server: Server, language: str) -> None:
    words = WORDS[language]
    page = phone(locale=LOCALES[language]).new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    open_from_me(page, words["plan"])
    page.locator(".plan-action").nth(4).wait_for()
    shoot(page, language, "planning-actions")
    page.locator("#plan-propose", has_text=words["propose"]).click()
    proposal = page.locator("#plan-proposal")
    proposal.wait_for()
    assert words["placed"] in proposal.inner_text()
    assert words["not_placed"] in proposal.inner_text()
    not_met = proposal.locator(".plan-item-not-met")
    assert NOBODY_CAN in not_met.inner_text()
    assert "refrigeration" in not_met.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, language, "planning-proposal")
    left_out = proposal.locator(".plan-item-met").first
    left_out_title = left_out.locator(".card-title").inner_text()
    left_out.locator("input").uncheck()
    page.locator("#plan-accept", has_text=words["book"]).click()

    page.locator("#plan-booked", has_text=words["booked"]).wait_for()
    assert proposal.locator(".chip-booked").count() == 3
    assert left_out.locator("input").is_checked() is False
    page.locator("#plan-booked").scroll_into_view_if_needed()
    shoot(page, language, "planning-booked")
    manager = server.session("manager@demo.test")
    actions = manager.pull_all()["action"].values()
    manager.close()
    planned = [a for a in actions if a["title"] in WORK_TITLES]
    assert sum(a["kind"] == "appointment" and a["assignee_id"] is not None for a in planned) >= 3
    assert left_out_title in WORK_TITLES


def test_planning_says_offline_instead_of_failing(phone: Any) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "admin@demo.test")
    open_from_me(page, WORDS["en"]["plan"])
    page.locator(".plan-action").first.wait_for()

    context.set_offline(True)

    page.locator("#planning-offline", has_text=WORDS["en"]["offline"]).wait_for()
    page.locator("#plan-propose").click()
    page.locator("[role=alert]", has_text=WORDS["en"]["offline"]).wait_for()
    assert page.locator("#plan-proposal").count() == 0
    context.set_offline(False)
    page.locator("#planning-offline").wait_for(state="detached")


@pytest.mark.parametrize("who", ["tech1@demo.test", "supervisor@demo.test"])
def test_nobody_else_plans(phone: Any, server: Server, who: str) -> None:
    page = phone().new_page()
    sign_in(page, who)

    page.goto("/#/me")
    page.locator("#me-name").wait_for()
    assert page.locator(".desk-links a", has_text="Plan").count() == 0
    assert page.locator(".desk-links a", has_text="available").count() == 0
    page.goto("/#/planning/actions")
    page.wait_for_url("**/#/orders")
    session = server.session(who)
    listed = session.client.get("/api/planning/actions")
    proposed = session.client.post(
        "/api/planning/proposals",
        json={"first_day": "2027-01-04", "actions": [{"action_id": _any_action_id(server)}]},
    )
    session.close()
    assert listed.status_code == 403
    assert proposed.status_code == 403


def _any_action_id(server: Server) -> str:
    manager = server.session("manager@demo.test")
    listed = manager.client.get("/api/planning/actions").json()
    manager.close()
    return str(listed["actions"][0]["id"])
