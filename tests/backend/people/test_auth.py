"""Signing in and out; the session cookie; the browser guards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import AuthSession, User
from tests.factories import PASSWORD, Company


async def test_login_sets_a_strict_httponly_cookie_and_me_answers(
    app_client: Any, company: Company
) -> None:
    response = await app_client.post(
        "/api/auth/login", json={"email": "TECH@test.example", "password": PASSWORD}
    )

    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    me = await app_client.get("/api/auth/me")
    assert me.json()["role"] == "technician"
    assert me.json()["supervises"] is False
    # The app learns how time is routed to approvers where it learns the rest.
    assert me.json()["time_approval"] == "team"


async def test_wrong_password_and_unknown_email_answer_alike(
    app_client: Any, company: Company
) -> None:
    wrong = await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": "nope"}
    )
    unknown = await app_client.post(
        "/api/auth/login", json={"email": "ghost@test.example", "password": "nope"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "bad_credentials"


async def test_login_answers_in_the_browser_language(app_client: Any, company: Company) -> None:
    response = await app_client.post(
        "/api/auth/login",
        json={"email": "tech@test.example", "password": "nope"},
        headers={"accept-language": "fr-FR,fr;q=0.9"},
    )

    assert response.json()["message"] == "E-mail ou mot de passe incorrect."


async def test_bad_login_bodies_get_the_error_shape(app_client: Any, company: Company) -> None:
    for body in (
        {},
        {"email": "x"},
        {"email": "a@b", "password": ""},
        {"email": "a@b", "password": "p", "admin": True},
        [1],
    ):
        response = await app_client.post("/api/auth/login", json=body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"code", "message", "details"}


async def test_logout_revokes_the_session(app_client: Any, company: Company) -> None:
    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )
    token = app_client.cookies.get("affaires_session")

    await app_client.post("/api/auth/logout", json={})
    app_client.cookies.set("affaires_session", token)
    me = await app_client.get("/api/auth/me")

    assert me.status_code == 401


async def test_expired_or_inactive_sessions_are_refused(
    app_client: Any, company: Company, db: Database
) -> None:
    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )
    async with db.writing() as session:
        await session.execute(
            sa.update(AuthSession).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    expired = await app_client.get("/api/auth/me")

    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )
    async with db.writing() as session:
        await session.execute(sa.update(User).values(active=False))
    inactive = await app_client.get("/api/auth/me")

    assert expired.status_code == inactive.status_code == 401


async def test_session_slides_forward_when_used(
    app_client: Any, company: Company, db: Database
) -> None:
    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    async with db.writing() as session:
        await session.execute(sa.update(AuthSession).values(expires_at=soon))

    await app_client.get("/api/auth/me")

    async with db.reading() as session:
        expires = await session.scalar(sa.select(AuthSession.expires_at))
    assert expires is not None and expires > soon + dt.timedelta(days=20)


async def test_cross_origin_and_form_posts_are_refused(app_client: Any, company: Company) -> None:
    body = {"email": "tech@test.example", "password": PASSWORD}

    foreign = await app_client.post(
        "/api/auth/login", json=body, headers={"origin": "https://evil.example"}
    )
    form = await app_client.post("/api/auth/login", data=body)

    assert foreign.status_code == 403
    assert form.status_code == 415
    assert set(form.json()) == {"code", "message", "details"}


async def test_pages_carry_a_content_security_policy(app_client: Any) -> None:
    response = await app_client.get("/")

    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_a_person_keeps_their_language_on_every_device(
    app_client: Any, company: Company
) -> None:
    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )

    changed = await app_client.patch("/api/auth/me", json={"language": "fr"})
    refused = await app_client.post(
        "/api/auth/login",
        json={"email": "tech@test.example", "password": "wrong"},
        headers={"accept-language": "en"},
    )

    assert changed.status_code == 200
    assert changed.json()["language"] == "fr"
    assert (await app_client.get("/api/auth/me")).json()["language"] == "fr"
    assert refused.json()["message"] == "E-mail or password is wrong."


async def test_language_update_refuses_bad_input_and_strangers(
    app_client: Any, company: Company
) -> None:
    stranger = await app_client.patch("/api/auth/me", json={"language": "fr"})
    await app_client.post(
        "/api/auth/login", json={"email": "tech@test.example", "password": PASSWORD}
    )

    bad = [
        await app_client.patch("/api/auth/me", json=body)
        for body in ({"language": "de"}, {}, {"language": "fr", "role": "admin"})
    ]

    assert stranger.status_code == 401
    assert [response.status_code for response in bad] == [400, 400, 400]
    assert (await app_client.get("/api/auth/me")).json()["role"] == "technician"


async def test_guessing_passwords_is_slowed_down(app_client: Any, company: Company) -> None:
    wrong = {"email": "sales@test.example", "password": "guess"}

    answers = [await app_client.post("/api/auth/login", json=wrong) for _ in range(11)]
    right = await app_client.post(
        "/api/auth/login", json={"email": "sales@test.example", "password": PASSWORD}
    )

    assert [a.status_code for a in answers[:10]] == [401] * 10
    assert answers[10].status_code == right.status_code == 429
    assert right.json()["code"] == "too_many_attempts"
    assert int(right.headers["retry-after"]) > 0


async def test_deep_nesting_and_nul_characters_are_bad_input(
    app_client: Any, company: Company
) -> None:
    nested = b'{"password": "p", "email": ' + b"[" * 2000 + b"]" * 2000 + b"}"

    deep = await app_client.post(
        "/api/auth/login", content=nested, headers={"content-type": "application/json"}
    )
    nul = await app_client.post(
        "/api/auth/login", json={"email": "tech\u0000@test.example", "password": "p"}
    )

    assert deep.status_code == 400
    assert deep.json()["code"] == "invalid_input"
    assert nul.status_code in (400, 401)
    assert set(nul.json()) == {"code", "message", "details"}


async def test_spaces_around_the_email_are_forgiven(app_client: Any, company: Company) -> None:
    response = await app_client.post(
        "/api/auth/login", json={"email": "  tech@test.example ", "password": PASSWORD}
    )

    assert response.status_code == 200


async def test_a_malformed_sign_in_is_explained_in_french(
    app_client: Any, company: Company
) -> None:
    response = await app_client.post(
        "/api/auth/login",
        json={"email": "ab", "password": "p"},
        headers={"accept-language": "fr"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"] == (
        "La requête n'est pas valide\u00a0: "
        "il faut un texte d'au moins 3 caractères (champ «\u00a0email\u00a0»)"
    )
