"""The manager's calendars on a phone: absences, public holidays, working
weeks and skills, written to the server at once, refusals said beside
the field; offline it says so; nobody else reaches it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pwa.conftest import Server, phone_today, sign_in
from tests.pwa.test_planning_screens import LOCALES, open_from_me
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "calendars": "Calendars",
        "holidays": "Public holidays",
        "weeks": "Working weeks",
        "skills": "Skills",
        "end_before_start": "The last day is before the first one.",
        "overlap": "These hours overlap other hours of the same day.",
        "company": "The company's week: everybody without a week of their own works it.",
        "follows": "works the company's week",
        "own": "has a week of their own",
        "afternoon": "Afternoon",
        "offline": "You are offline: calendars are kept on the server",
    },
    "fr": {
        "calendars": "Calendriers",
        "holidays": "Jours fériés",
        "weeks": "Semaines de travail",
        "skills": "Compétences",
        "end_before_start": "Le dernier jour est avant le premier.",
        "overlap": "Ces heures chevauchent d'autres heures du même jour.",
        "company": "La semaine de l'entreprise\u00a0: celle de tous ceux qui n'ont pas "
        "leur propre semaine.",
        "follows": "suit la semaine de l'entreprise",
        "own": "a sa propre semaine",
        "afternoon": "Après-midi",
        "offline": "Vous êtes hors ligne\u00a0: les calendriers sont tenus sur le serveur",
    },
}
# Each language works on its own person, so the runs do not meet.
PEOPLE = {"en": "Julien Petit", "fr": "Marie Dubois"}


def open_calendars(page: Any, language: str, part: str = "") -> None:
    open_from_me(page, WORDS[language]["calendars"])
    page.locator(".calendar-tabs").wait_for()
    if part:
        page.locator(".calendar-tab", has_text=WORDS[language][part]).click()


def person_id(server: Server, name: str) -> str:
    manager = server.session("manager@demo.test")
    people = manager.client.get("/api/planning/skills").json()
    manager.close()
    return str(next(p["user_id"] for p in people if p["name"] == name))


def server_get(server: Server, path: str) -> Any:
    manager = server.session("manager@demo.test")
    answer = manager.client.get(path)
    manager.close()
    answer.raise_for_status()
    return answer.json()


def pick(page: Any, field: str, value: str) -> None:
    page.locator(field).fill(value)
    page.locator(field).dispatch_event("change")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_adds_an_absence_and_removes_it(
    phone: Any, server: Server, language: str
) -> None:
    words = WORDS[language]
    name = PEOPLE[language]
    first = phone_today() + dt.timedelta(days=20)
    page = phone(locale=LOCALES[language]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    open_calendars(page, language)
    listed = page.locator("#absences")
    listed.locator(".absence").first.wait_for()
    assert words["afternoon"] in listed.inner_text()  # Thomas's training
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "calendars-absences")

    page.locator("#absence-add").click()
    page.locator("#absence-person").select_option(label=name)
    pick(page, "#absence-first", first.isoformat())
    pick(page, "#absence-last", (first - dt.timedelta(days=2)).isoformat())
    page.locator("#absence-form .option", has_text=words["afternoon"]).click()
    page.locator("#absence-reason").fill("Formation")
    page.locator("#absence-save").click()

    refused = page.locator("#absence-last-error")
    refused.wait_for()
    assert refused.inner_text().strip() == words["end_before_start"]
    assert page.locator("#absence-last").get_attribute("aria-invalid") == "true"
    assert page.locator("#absence-reason").input_value() == "Formation"
    shoot(page, language, "calendars-absence-refused")
    pick(page, "#absence-last", (first + dt.timedelta(days=1)).isoformat())
    page.locator("#absence-save").click()

    row = page.locator(".absence", has_text=name)
    row.wait_for()
    assert "Formation" in row.inner_text()
    assert words["afternoon"] in row.inner_text()
    who = person_id(server, name)
    window = f"from={first}&to={first + dt.timedelta(days=1)}&person={who}"
    kept = server_get(server, f"/api/planning/absences?{window}")
    assert [(a["first_day"], a["part"], a["reason"]) for a in kept] == [
        (first.isoformat(), "afternoon", "Formation")
    ]

    row.locator("[data-action=remove-absence]").click()
    row.wait_for(state="detached")
    assert server_get(server, f"/api/planning/absences?{window}") == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_adds_and_removes_a_public_holiday(
    phone: Any, server: Server, language: str
) -> None:
    year = phone_today().year + 1
    day = f"{year}-06-1{5 if language == 'en' else 6}"
    name = "Company day" if language == "en" else "Journée de l'entreprise"
    page = phone(locale=LOCALES[language]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    open_calendars(page, language, "holidays")
    page.locator("[data-action=year][data-step='1']").click()
    page.locator("#holidays-title", has_text=str(year)).wait_for()
    page.locator("#holidays .holiday").first.wait_for()
    page.locator("#holiday-day").fill(day)
    page.locator("#holiday-day").dispatch_event("change")
    page.locator("#holiday-name").fill(name)
    page.locator("#holiday-save").click()

    row = page.locator(".holiday", has_text=name)
    row.wait_for()
    kept = server_get(server, f"/api/planning/holidays?year={year}")
    assert {"day": day, "name": name} in kept
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, language, "calendars-holidays")
    row.locator("[data-action=remove-holiday]").click()
    row.wait_for(state="detached")
    kept = server_get(server, f"/api/planning/holidays?year={year}")
    assert {"day": day, "name": name} not in kept


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_changes_a_persons_week_and_sets_it_back(
    phone: Any, server: Server, language: str
) -> None:
    words = WORDS[language]
    name = PEOPLE[language]
    who = person_id(server, name)
    company = server_get(server, "/api/planning/working-weeks/company")["periods"]
    page = phone(locale=LOCALES[language]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    open_calendars(page, language, "weeks")
    assert page.locator("#week-said").inner_text().strip() == words["company"]
    page.locator("#week-whose").select_option(label=name)
    page.locator("#week-said", has_text=words["follows"]).wait_for()
    monday = page.locator(".weekday").first
    monday.locator(".period").first.locator("input").nth(1).fill("11:00")
    monday.locator(".add-period").click()
    monday.locator(".period").nth(2).locator("input").first.fill("16:30")
    page.locator("#week-save").click()

    error = monday.locator(".field-error:not([hidden])")
    error.wait_for()
    assert error.inner_text().strip() == words["overlap"]
    shoot(page, language, "calendars-week-refused")
    assert monday.locator(".period").first.locator("input").nth(1).input_value() == "11:00"
    monday.locator(".period").nth(2).locator("[data-action=remove-period]").click()
    page.locator("#week-save").click()

    page.locator("#week-said", has_text=words["own"]).wait_for()
    own = server_get(server, f"/api/planning/working-weeks/{who}")
    assert own["own"] is True
    assert {"weekday": 0, "starts": "08:00", "ends": "11:00"} in own["periods"]
    # The person chosen, what they work and Monday's hours, under the top bars.
    page.evaluate(
        "window.scrollTo(0, document.getElementById('week-whose')"
        ".getBoundingClientRect().top + scrollY - 260)"
    )
    shoot(page, language, "calendars-week")
    page.locator("#week-company").click()
    page.locator("#week-said", has_text=words["follows"]).wait_for()
    back = server_get(server, f"/api/planning/working-weeks/{who}")
    assert back["own"] is False
    assert back["periods"] == company


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_adds_a_skill(phone: Any, server: Server, language: str) -> None:
    name = PEOPLE[language]
    skill = "welding" if language == "en" else "soudure"
    page = phone(locale=LOCALES[language]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "manager@demo.test")
    use_language(page, language)

    open_calendars(page, language, "skills")
    card = page.locator(".person-skills", has_text=name)
    card.locator("[data-action=open-skill]").click()
    page.locator("#skill-new").fill(skill)
    page.locator("#skill-new").press("Enter")

    card.locator(".skill-chip", has_text=skill).wait_for()
    assert page.locator("#skill-new").input_value() == ""
    held = server_get(server, "/api/planning/skills")
    assert skill in next(p["skills"] for p in held if p["name"] == name)
    card.scroll_into_view_if_needed()
    shoot(page, language, "calendars-skills")
    card.locator(".skill-chip", has_text=skill).click()
    card.locator(".skill-chip", has_text=skill).wait_for(state="detached")
    held = server_get(server, "/api/planning/skills")
    assert skill not in next(p["skills"] for p in held if p["name"] == name)


def test_a_known_skill_typed_in_french_is_kept_under_its_key(phone: Any, server: Server) -> None:
    page = phone(locale="fr-FR").new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "manager@demo.test")
    use_language(page, "fr")
    open_calendars(page, "fr", "skills")
    card = page.locator(".person-skills", has_text="Thomas Martin")
    card.locator("[data-action=open-skill]").click()
    # The card is drawn again with its field: type into the one that stays.
    page.locator("#skill-new").wait_for()
    page.wait_for_timeout(200)

    page.locator("#skill-new").fill("Plomberie")
    assert page.locator("#skill-new").input_value() == "Plomberie"
    page.locator("#skill-new").press("Enter")

    card.locator(".skill-chip", has_text="plomberie").wait_for()
    held = server_get(server, "/api/planning/skills")
    assert "plumbing" in next(p["skills"] for p in held if p["name"] == "Thomas Martin")
    card.locator(".skill-chip", has_text="plomberie").click()
    card.locator(".skill-chip", has_text="plomberie").wait_for(state="detached")


def test_calendars_say_offline_and_keep_what_was_typed(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "admin@demo.test")
    open_calendars(page, "en")
    page.locator("#absences .absence").first.wait_for()
    page.locator("#absence-add").click()
    page.locator("#absence-person").select_option(label="Thomas Martin")
    pick(page, "#absence-first", (phone_today() + dt.timedelta(days=30)).isoformat())
    page.locator("#absence-reason").fill("Congés d'hiver")

    context.set_offline(True)
    page.locator("#absence-save").click()

    page.locator("#calendars-offline", has_text=WORDS["en"]["offline"]).wait_for()
    page.locator("#absence-problem", has_text=WORDS["en"]["offline"]).wait_for()
    assert page.locator("#absence-reason").input_value() == "Congés d'hiver"
    context.set_offline(False)
    page.locator("#calendars-offline").wait_for(state="detached")
    page.locator("#absence-save").click()
    page.locator("#absences .absence", has_text="Congés d'hiver").wait_for()


@pytest.mark.parametrize("who", ["tech1@demo.test", "supervisor@demo.test"])
def test_nobody_else_keeps_calendars(phone: Any, server: Server, who: str) -> None:
    page = phone().new_page()
    sign_in(page, who)

    page.goto("/#/me")
    page.locator("#me-name").wait_for()
    assert page.locator(".desk-links a", has_text="Calendars").count() == 0
    page.goto("/#/calendars/holidays")
    page.wait_for_url("**/#/orders")
    session = server.session(who)
    listed = session.client.get("/api/planning/holidays?year=2027")
    added = session.client.put("/api/planning/holidays/2027-06-15", json={"name": "Fête"})
    session.close()
    assert listed.status_code == 403
    assert added.status_code == 403
