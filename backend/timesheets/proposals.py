"""Planning proposals: made from the database's state, kept, then accepted.

A proposal is kept as it was answered, so the manager accepts what they
reviewed. An item whose person was booked over one of its slots since
is skipped (ask again). Accepting an item makes its action an appointment of the
proposed person from the first slot's start to the last slot's end, with
the planned minutes: new actions are created under the id the proposal
gave them, existing ones are updated, and an item accepted again changes
nothing (no write, so no change sent to devices twice). The change-log
triggers carry every write to the assignee's devices.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.access.actors import Actor
from backend.db.models import (
    Action,
    ActionKind,
    ActionSkill,
    Affair,
    AffairStatus,
    PersonSkill,
    PlanningProposal,
    User,
)
from backend.lib.errors import InvalidInput, NotFound
from backend.lib.i18n import translate
from backend.lib.time import utc_now
from backend.people.availability import (
    Interval,
    check_plannable,
    epoch_minutes,
    instant_of,
    load_people,
)
from backend.people.schemas import MAX_WINDOW_DAYS
from backend.timesheets.planning import Placement, Work, plan
from backend.timesheets.schemas import (
    MAX_ACTIONS_PLANNED,
    AcceptOut,
    AcceptRequest,
    ActionsToScheduleOut,
    ActionToPlan,
    ActionToSchedule,
    ProposalItem,
    ProposalOut,
    ProposalRequest,
    Skipped,
    Slot,
)
from sync.ids import derived_id


async def actions_to_schedule(session: AsyncSession) -> ActionsToScheduleOut:
    """The open actions a proposal can place, the soonest due first.

    An action can be placed when it says how long it takes and when it is
    due (a proposal needs both); done or deleted ones, and those of closed,
    lost or deleted affairs, are left out. Booked ones are listed too, with
    their start and person: planning them again moves them.
    """
    assignee = aliased(User)
    rows = await session.execute(
        sa.select(Action, Affair.code, assignee.name)
        .join(Affair, Affair.id == Action.affair_id)
        .outerjoin(assignee, assignee.id == Action.assignee_id)
        .where(
            Action.deleted_at.is_(None),
            Action.done_at.is_(None),
            Action.planned_minutes > 0,
            Action.due_date.is_not(None),
            Affair.deleted_at.is_(None),
            Affair.status.not_in([AffairStatus.CLOSED, AffairStatus.LOST]),
        )
        .order_by(Action.due_date, Affair.code, Action.title, Action.id)
        .limit(MAX_ACTIONS_PLANNED)
    )
    found = rows.all()
    skills = await _action_skills(session, [action.id for action, _, _ in found])
    actions = []
    for action, code, assignee_name in found:
        assert action.planned_minutes is not None and action.due_date is not None
        actions.append(
            ActionToSchedule(
                id=action.id,
                affair_id=action.affair_id,
                affair_code=code,
                title=action.title,
                minutes=action.planned_minutes,
                due=action.due_date,
                skills=sorted(skills.get(action.id, [])),
                assignee_name=assignee_name if action.starts_at else None,
                starts_at=action.starts_at,
            )
        )
    known = await session.scalars(
        sa.select(PersonSkill.skill)
        .join(User, User.id == PersonSkill.user_id)
        .where(User.active, User.deleted_at.is_(None))
        .distinct()
        .order_by(PersonSkill.skill)
    )
    return ActionsToScheduleOut(actions=actions, skills=list(known))


async def make_proposal(
    session: AsyncSession, actor: Actor, request: ProposalRequest, language: str
) -> ProposalOut:
    """Plan the request's actions and keep the proposal."""
    proposal_id = uuid.uuid4()
    items = await _items_to_plan(session, proposal_id, request)
    last_day = max([request.first_day, *(item.due for item in items)])
    if (last_day - request.first_day).days >= MAX_WINDOW_DAYS:
        raise InvalidInput(
            "invalid_input", reason=f"due dates at most {MAX_WINDOW_DAYS} days ahead", field="due"
        )
    people = await load_people(
        session,
        request.first_day,
        last_day,
        people_ids=request.people,
        ignored_actions=[item.action_id for item in items if not item.new],
    )
    works = [
        Work(
            key=item.key,
            minutes=item.minutes,
            skills=frozenset(item.skills),
            earliest=item.earliest,
            due=item.due,
        )
        for item in items
    ]
    placements = plan(works, people)
    planned = [
        _with_placement(item, placement) for item, placement in zip(items, placements, strict=True)
    ]
    proposal = PlanningProposal(
        id=proposal_id,
        made_by_id=actor.id,
        made_at=utc_now(),
        items=msgspec.to_builtins(planned),
        accepted=[],
    )
    session.add(proposal)
    await session.flush()
    return _proposal_out(proposal, planned, request.first_day, language)


async def read_proposal(
    session: AsyncSession, proposal_id: uuid.UUID, language: str
) -> ProposalOut:
    proposal = await session.get(PlanningProposal, proposal_id)
    if proposal is None:
        raise NotFound("not_found", proposal_id=str(proposal_id))
    items = _stored_items(proposal)
    first_day = min((item.earliest for item in items), default=proposal.made_at.date())
    return _proposal_out(proposal, items, first_day, language)


async def accept_proposal(
    session: AsyncSession, proposal_id: uuid.UUID, request: AcceptRequest
) -> AcceptOut:
    """Turn the chosen items (all met ones by default) into appointments."""
    proposal = await session.get(PlanningProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise NotFound("not_found", proposal_id=str(proposal_id))
    items = {item.key: item for item in _stored_items(proposal)}
    if request.keys is None:
        chosen = list(items.values())
    else:
        unknown = [key for key in request.keys if key not in items]
        if unknown:
            raise InvalidInput(
                "invalid_input", reason=f"no item {unknown[0]} in this proposal", field="keys"
            )
        chosen = [items[key] for key in dict.fromkeys(request.keys)]

    existing = await _actions_by_id(session, [item.action_id for item in chosen])
    met = [item for item in chosen if item.met]
    taken = await _booked_since(session, met)
    working = await _working_time_now(session, met)
    answer = AcceptOut(proposal_id=proposal.id, created=[], updated=[], unchanged=[], skipped=[])
    accepted = list(proposal.accepted)
    for item in chosen:
        if not item.met:
            answer.skipped.append(Skipped(item.key, "planning_not_met"))
            continue
        action = existing.get(item.action_id)
        if action is None and not item.new:
            answer.skipped.append(Skipped(item.key, "planning_action_gone"))
            continue
        if action is not None and action.deleted_at is not None:
            answer.skipped.append(Skipped(item.key, "planning_action_gone"))
            continue
        if any(_overlaps(item, booked) for booked in taken.get(item.assignee_id, ())):
            answer.skipped.append(Skipped(item.key, "planning_slot_taken"))
            continue
        if not _within(item, working.get(item.assignee_id, [])):
            answer.skipped.append(Skipped(item.key, "planning_person_away"))
            continue
        if action is None:
            session.add(_new_appointment(item))
            session.add_all(ActionSkill(action_id=item.action_id, skill=s) for s in item.skills)
            answer.created.append(item.action_id)
        elif _book(action, item):
            answer.updated.append(item.action_id)
        else:
            answer.unchanged.append(item.action_id)
        if item.key not in accepted:
            accepted.append(item.key)
    if accepted != proposal.accepted:
        proposal.accepted = accepted
    await session.flush()
    return answer


async def _items_to_plan(
    session: AsyncSession, proposal_id: uuid.UUID, request: ProposalRequest
) -> list[ProposalItem]:
    """Each action to plan, with what was left out read from the database.

    Refuses the whole request (nothing is written) when an action or an
    affair is unknown or an item lacks what a new action needs.
    """
    check_plannable(first_day=request.first_day)
    for wanted in request.actions:
        check_plannable(earliest=wanted.earliest, due=wanted.due)
    named = [wanted.action_id for wanted in request.actions if wanted.action_id]
    if len(set(named)) != len(named):
        raise InvalidInput("invalid_input", reason="an action is named twice", field="action_id")
    actions = await _actions_by_id(session, named)
    for action_id in named:
        action = actions.get(action_id)
        if action is None or action.deleted_at is not None:
            raise NotFound("not_found", action_id=str(action_id))
    skills = await _action_skills(session, named)
    affair_ids = {wanted.affair_id for wanted in request.actions if wanted.affair_id}
    known_affairs = set(
        (
            await session.scalars(
                sa.select(Affair.id).where(Affair.id.in_(affair_ids), Affair.deleted_at.is_(None))
            )
        ).all()
    )
    items = []
    for index, wanted in enumerate(request.actions):
        action = actions.get(wanted.action_id) if wanted.action_id else None
        items.append(
            _item(proposal_id, index, wanted, action, skills, known_affairs, request.first_day)
        )
    return items


def _item(
    proposal_id: uuid.UUID,
    index: int,
    wanted: ActionToPlan,
    action: Action | None,
    skills: dict[uuid.UUID, list[str]],
    known_affairs: set[uuid.UUID],
    first_day: dt.date,
) -> ProposalItem:
    def missing(field: str) -> InvalidInput:
        return InvalidInput(
            "invalid_input", reason=f"actions[{index}].{field} is required", field=field
        )

    affair_id = wanted.affair_id or (action.affair_id if action else None)
    title = wanted.title or (action.title if action else None)
    minutes = wanted.minutes or (action.planned_minutes if action else None)
    due = wanted.due or (action.due_date if action else None)
    if affair_id is None:
        raise missing("affair_id")
    if action is None and affair_id not in known_affairs:
        raise NotFound("not_found", affair_id=str(affair_id))
    if title is None:
        raise missing("title")
    if not minutes or minutes <= 0:
        raise missing("minutes")
    if due is None:
        raise missing("due")
    required = (
        wanted.skills if wanted.skills is not None else skills.get(action.id, []) if action else []
    )
    action_id = action.id if action else derived_id("planning", proposal_id, index)
    return ProposalItem(
        key=str(action_id),
        action_id=action_id,
        new=action is None,
        affair_id=affair_id,
        title=title,
        minutes=minutes,
        skills=sorted(set(required)),
        earliest=max(wanted.earliest or first_day, first_day),
        due=due,
        met=False,
    )


def _with_placement(item: ProposalItem, placement: Placement) -> ProposalItem:
    if placement.person is None:
        return msgspec.structs.replace(
            item, met=False, reason=placement.reason, details=placement.details
        )
    slots = [Slot(instant_of(start), instant_of(end)) for start, end in placement.slots]
    return msgspec.structs.replace(
        item,
        met=True,
        assignee_id=placement.person.id,
        assignee_name=placement.person.name,
        starts_at=slots[0].starts_at,
        ends_at=slots[-1].ends_at,
        slots=slots,
    )


def _proposal_out(
    proposal: PlanningProposal, items: Sequence[ProposalItem], first_day: dt.date, language: str
) -> ProposalOut:
    said = [
        msgspec.structs.replace(item, message=translate(item.reason, language, item.details))
        if item.reason
        else item
        for item in items
    ]
    met = sum(1 for item in items if item.met)
    return ProposalOut(
        id=proposal.id,
        made_at=proposal.made_at,
        first_day=first_day,
        met=met,
        not_met=len(items) - met,
        items=said,
        accepted=list(proposal.accepted),
    )


def _stored_items(proposal: PlanningProposal) -> list[ProposalItem]:
    return msgspec.convert(proposal.items, list[ProposalItem], strict=False)


async def _actions_by_id(
    session: AsyncSession, action_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Action]:
    if not action_ids:
        return {}
    rows = await session.scalars(sa.select(Action).where(Action.id.in_(action_ids)))
    return {action.id: action for action in rows}


async def _action_skills(
    session: AsyncSession, action_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {}
    if not action_ids:
        return found
    rows = await session.execute(
        sa.select(ActionSkill.action_id, ActionSkill.skill).where(
            ActionSkill.action_id.in_(action_ids)
        )
    )
    for action_id, skill in rows.all():
        found.setdefault(action_id, []).append(skill)
    return found


async def _booked_since(
    session: AsyncSession, items: Sequence[ProposalItem]
) -> dict[uuid.UUID | None, list[tuple[dt.datetime, dt.datetime]]]:
    """Other actions of the items' assignees over the items' span: booked
    after the proposal was made, they would clash with it."""
    taken: dict[uuid.UUID | None, list[tuple[dt.datetime, dt.datetime]]] = {}
    spans = [(item.starts_at, item.ends_at) for item in items if item.starts_at and item.ends_at]
    if not spans:
        return taken
    rows = await session.execute(
        sa.select(Action.assignee_id, Action.starts_at, Action.ends_at).where(
            Action.assignee_id.in_({item.assignee_id for item in items}),
            Action.id.not_in([item.action_id for item in items]),
            Action.deleted_at.is_(None),
            Action.starts_at < max(end for _, end in spans),
            Action.ends_at > min(start for start, _ in spans),
        )
    )
    for assignee_id, starts_at, ends_at in rows.all():
        if starts_at is not None and ends_at is not None:
            taken.setdefault(assignee_id, []).append((starts_at, ends_at))
    return taken


async def _working_time_now(
    session: AsyncSession, items: Sequence[ProposalItem]
) -> dict[uuid.UUID | None, list[Interval]]:
    """The assignees' working time over the items' days as it stands now:
    an absence, a holiday or new working hours entered since the proposal
    was made count. Bookings are left out (``_booked_since`` sees them)."""
    slots = [slot for item in items for slot in item.slots]
    people = {item.assignee_id for item in items if item.assignee_id is not None}
    if not slots or not people:
        return {}
    # A day of margin either side: slots are UTC, days are the person's.
    first_day = min(slot.starts_at for slot in slots).date() - dt.timedelta(days=1)
    last_day = max(slot.ends_at for slot in slots).date() + dt.timedelta(days=1)
    found = await load_people(
        session, first_day, last_day, people_ids=sorted(people), bookings=False
    )
    return {person.id: person.free for person in found}


def _within(item: ProposalItem, working: Sequence[Interval]) -> bool:
    """Does each of the item's slots fall inside the person's working time?"""
    return all(
        any(
            start <= epoch_minutes(slot.starts_at) and epoch_minutes(slot.ends_at) <= end
            for start, end in working
        )
        for slot in item.slots
    )


def _overlaps(item: ProposalItem, booked: tuple[dt.datetime, dt.datetime]) -> bool:
    starts_at, ends_at = booked
    return any(slot.starts_at < ends_at and starts_at < slot.ends_at for slot in item.slots)


def _new_appointment(item: ProposalItem) -> Action:
    return Action(
        id=item.action_id,
        affair_id=item.affair_id,
        kind=ActionKind.APPOINTMENT,
        title=item.title,
        assignee_id=item.assignee_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        due_date=item.due,
        planned_minutes=item.minutes,
    )


def _book(action: Action, item: ProposalItem) -> bool:
    """Make ``action`` the item's appointment; answer whether anything changed."""
    wanted: dict[str, Any] = {
        "kind": ActionKind.APPOINTMENT,
        "assignee_id": item.assignee_id,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "planned_minutes": item.minutes,
        "due_date": item.due,
    }
    changed = False
    for name, value in wanted.items():
        if getattr(action, name) != value:
            setattr(action, name, value)
            changed = True
    return changed
