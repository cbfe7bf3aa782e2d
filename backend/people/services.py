"""People: sign-in sessions, accounts and hourly rates."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.db.models import AuthSession, HourlyRate, Role, Team, User
from backend.lib.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from backend.lib.passwords import hash_password, verify_password
from backend.lib.time import utc_now
from backend.lib.tokens import new_token, token_hash

logger = structlog.get_logger()

# A sliding session is pushed forward at most this often, so reading a
# page does not write to the database on every request.
SESSION_REFRESH = dt.timedelta(hours=1)


async def sign_in(
    session: AsyncSession, email: str, password: str, *, days: int
) -> tuple[str, User]:
    """A new session token for the account, or ``Unauthenticated``."""
    user = await session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    )
    usable = user is not None and user.active and user.deleted_at is None
    if not verify_password(user.password_hash if usable and user else None, password):
        logger.info("auth.refused")
        raise Unauthenticated("bad_credentials", code="bad_credentials")
    assert user is not None

    token = new_token()
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utc_now() + dt.timedelta(days=days),
        )
    )
    logger.info("auth.signed_in", user=str(user.id))
    return token, user


async def sign_out(session: AsyncSession, token: str) -> None:
    await session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token))
        .values(revoked_at=utc_now())
    )


# Asked at every request: built once.
SESSION_AND_PERSON = (
    sa.select(AuthSession, User)
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token_hash == sa.bindparam("token_hash"))
)
TEAMS_SUPERVISED = sa.select(Team.id).where(Team.supervisor_id == sa.bindparam("user_id"))


async def actor_for_token(
    session: AsyncSession, token: str, *, days: int
) -> tuple[Actor, bool] | None:
    """The signed-in person and whether the session is due to be extended;
    None for an unknown, expired or revoked token or an inactive person."""
    now = utc_now()
    row = (await session.execute(SESSION_AND_PERSON, {"token_hash": token_hash(token)})).first()
    if row is None:
        return None
    auth, user = row
    if auth.revoked_at is not None or auth.expires_at <= now:
        return None
    if not user.active or user.deleted_at is not None:
        return None

    due = now + dt.timedelta(days=days) - auth.expires_at > SESSION_REFRESH
    return await actor_of(session, user), due


async def extend_session(session: AsyncSession, token: str, *, days: int) -> None:
    """Slide the session's end: ``days`` of idleness from now."""
    await session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token))
        .values(expires_at=utc_now() + dt.timedelta(days=days))
    )


async def names_of(
    session: AsyncSession, people: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """The names of these people, by id (None ids are skipped)."""
    wanted = {person for person in people if person is not None}
    if not wanted:
        return {}
    rows = await session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted)))
    return {person_id: name for person_id, name in rows}


async def actor_of(session: AsyncSession, user: User) -> Actor:
    supervised = await session.scalars(TEAMS_SUPERVISED, {"user_id": user.id})
    return Actor(
        id=user.id,
        role=user.role,
        name=user.name,
        team_id=user.team_id,
        language=user.language,
        time_zone=user.time_zone,
        supervised_team_ids=frozenset(supervised),
    )


async def load_actor(session: AsyncSession, user_id: uuid.UUID) -> Actor:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound()
    return await actor_of(session, user)


async def add_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    team_id: uuid.UUID | None = None,
    language: str | None = None,
) -> User:
    """A new account; ``Conflict`` when the e-mail is taken."""
    taken = await session.scalar(
        sa.select(User.id).where(sa.func.lower(User.email) == email.lower())
    )
    if taken is not None:
        raise Conflict("email_taken", code="email_taken", field="email")
    user = User(
        email=email.lower(),
        name=name,
        role=role,
        team_id=team_id,
        language=language,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    await session.flush()
    return user


async def grant_login(
    session: AsyncSession, who: str, *, email: str, role: Role, password: str
) -> User:
    """Give an existing person (by login, e-mail or id) an account to sign in."""
    user = await find_person(session, who)
    user.email = email.lower()
    user.role = role
    user.password_hash = hash_password(password)
    user.active = True
    await session.flush()
    return user


async def set_language(session: AsyncSession, user_id: uuid.UUID, language: str | None) -> None:
    await session.execute(sa.update(User).where(User.id == user_id).values(language=language))


async def find_person(session: AsyncSession, who: str) -> User:
    condition = sa.or_(User.login == who, sa.func.lower(User.email) == who.lower())
    with contextlib.suppress(ValueError):
        condition = sa.or_(condition, User.id == uuid.UUID(who))
    user = await session.scalar(sa.select(User).where(condition))
    if user is None:
        raise NotFound("person_not_found", code="person_not_found", who=who)
    return user


async def set_rate(
    session: AsyncSession,
    user_id: uuid.UUID,
    valid_from: dt.date,
    cents_per_hour: int,
    activity: str = "",
) -> HourlyRate:
    """The person's hourly cost from ``valid_from`` on, for ``activity``
    ("" for any), replacing one of that day."""
    existing = await session.scalar(
        sa.select(HourlyRate).where(
            HourlyRate.user_id == user_id,
            HourlyRate.activity == activity,
            HourlyRate.valid_from == valid_from,
        )
    )
    if existing is None:
        existing = HourlyRate(
            id=uuid.uuid4(),
            user_id=user_id,
            valid_from=valid_from,
            cents_per_hour=cents_per_hour,
            activity=activity,
        )
        session.add(existing)
    else:
        existing.cents_per_hour = cents_per_hour
    await session.flush()
    return existing


@dataclass(frozen=True)
class Rate:
    valid_from: dt.date
    cents_per_hour: int
    # "" for any activity without a rate of its own.
    activity: str = ""


async def rates_by_person(
    session: AsyncSession, user_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[Rate]]:
    """Each person's rates, oldest first, to cost many entries in one query."""
    rows = await session.execute(
        sa.select(
            HourlyRate.user_id,
            HourlyRate.valid_from,
            HourlyRate.cents_per_hour,
            HourlyRate.activity,
        )
        .where(HourlyRate.user_id.in_(user_ids))
        .order_by(HourlyRate.user_id, HourlyRate.valid_from)
    )
    rates: dict[uuid.UUID, list[Rate]] = {}
    for user_id, valid_from, cents, activity in rows:
        rates.setdefault(user_id, []).append(Rate(valid_from, cents, activity or ""))
    return rates


def rate_on(rates: list[Rate], day: dt.date, activity: str | None = None) -> int:
    """The rate valid on ``day`` for ``activity``: the latest of its own
    starting on or before it, else the latest general one; 0 without."""
    general: int | None = None
    own: int | None = None
    for rate in rates:
        if rate.valid_from > day:
            break
        if rate.activity == "":
            general = rate.cents_per_hour
        elif activity and rate.activity == activity:
            own = rate.cents_per_hour
    if own is not None:
        return own
    return general or 0


async def name_time_approver(
    session: AsyncSession, person_id: uuid.UUID, approver_id: uuid.UUID | None
) -> tuple[User, User | None]:
    """Name who approves the person's time (a manager with nobody above
    them); None leaves it to the company's route. Nobody approves their
    own time, and an approver is someone who can sign in."""
    person = await session.get(User, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("not_found", user_id=str(person_id))
    approver = None
    if approver_id is not None:
        if approver_id == person_id:
            raise InvalidInput(
                "invalid_input", reason="nobody approves their own time", field="approver_id"
            )
        approver = await session.get(User, approver_id)
        if approver is None or approver.deleted_at is not None or not approver.active:
            raise NotFound("not_found", user_id=str(approver_id))
    person.time_approver_id = approver_id
    await session.flush()
    return person, approver
