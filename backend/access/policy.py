"""Who may see and change what: the one policy.

Every visibility rule is a SQL condition built here. The API's queries and
the sync pull's scope both call these functions, so what a person sees on
a screen and what their device holds offline can never disagree.

    admin, manager ... everything
    supervisor ....... their team: its people, time, service orders, conflicts, devices
    technician ....... service orders assigned to them and their affairs, own time
    employee ......... affairs open to them, own time
    sales ............ their own opportunities
"""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql.elements import ColumnElement

from backend.access.actors import Actor
from backend.db.models import (
    Action,
    Affair,
    AffairMember,
    Blob,
    BlobHolder,
    ChecklistAnswer,
    ChecklistPhoto,
    ChecklistRun,
    ConflictRecord,
    Device,
    Equipment,
    EquipmentFile,
    EquipmentPart,
    Nonconformity,
    Role,
    ServiceOrder,
    ServiceOrderPhoto,
    Site,
    Team,
    User,
    Voucher,
    VoucherRedemption,
)

# A column naming a person or a customer, from a model or a table.
ColumnRef: TypeAlias = ColumnElement[Any] | QueryableAttribute[Any]

EVERYTHING: ColumnElement[bool] = sa.true()
NOTHING: ColumnElement[bool] = sa.false()


def team_member_ids(actor: Actor) -> sa.Select[uuid.UUID]:
    """People in the teams this actor supervises."""
    return sa.select(User.id).where(User.team_id.in_(actor.supervised_team_ids))


def people_in_charge(actor: Actor) -> ColumnElement[bool] | None:
    """Condition on a ``user_id`` column for the people whose time and work
    this actor oversees; None when that is everybody."""
    if actor.sees_everything:
        return None
    return sa.or_(User.id == actor.id, User.id.in_(team_member_ids(actor)))


def _person_condition(column: ColumnRef, actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    if actor.role == Role.SUPERVISOR:
        return sa.or_(column == actor.id, column.in_(team_member_ids(actor)))
    return column == actor.id


def time_approved_people(actor: Actor) -> sa.Select[uuid.UUID]:
    """The people whose named approver (``users.time_approver_id``) the
    actor is. Read from its own alias of the people, so it means the same
    inside a query on them."""
    named = aliased(User)
    return sa.select(named.id).where(named.time_approver_id == actor.id)


def visible_users(actor: Actor) -> ColumnElement[bool]:
    """Oneself, one's team mates and team supervisor, one's team if
    supervising, and the people one is the named approver of."""
    if actor.sees_everything:
        return EVERYTHING
    own_team = [User.id == actor.id, User.time_approver_id == actor.id]
    if actor.team_id is not None:
        own_team.append(User.team_id == actor.team_id)
        own_team.append(User.id.in_(sa.select(Team.supervisor_id).where(Team.id == actor.team_id)))
    if actor.supervised_team_ids:
        own_team.append(User.team_id.in_(actor.supervised_team_ids))
    return sa.or_(*own_team)


def visible_service_orders(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    if actor.role in (Role.SUPERVISOR, Role.TECHNICIAN):
        return _person_condition(ServiceOrder.technician_id, actor)
    return NOTHING


def visible_affairs(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    people = (
        sa.or_(AffairMember.user_id == actor.id, AffairMember.user_id.in_(team_member_ids(actor)))
        if actor.role == Role.SUPERVISOR
        else AffairMember.user_id == actor.id
    )
    open_to = [
        Affair.manager_id == actor.id,
        Affair.id.in_(sa.select(AffairMember.affair_id).where(people)),
    ]
    if actor.role == Role.SALES:
        open_to.append(Affair.salesperson_id == actor.id)
    if actor.role in (Role.SUPERVISOR, Role.TECHNICIAN):
        open_to.append(
            Affair.id.in_(sa.select(ServiceOrder.affair_id).where(visible_service_orders(actor)))
        )
    return sa.or_(*open_to)


def visible_affair_ids(actor: Actor) -> sa.Select[uuid.UUID]:
    return sa.select(Affair.id).where(visible_affairs(actor))


def visible_equipment(actor: Actor) -> ColumnElement[bool]:
    """Equipment of the affairs the actor sees: a technician holds the
    machines of the affairs they work on, to find one by its serial."""
    if actor.sees_everything:
        return EVERYTHING
    return Equipment.affair_id.in_(visible_affair_ids(actor))


def visible_equipment_parts(actor: Actor) -> ColumnElement[bool]:
    """Fittings of the machines the actor sees (through the machine's affair)."""
    if actor.sees_everything:
        return EVERYTHING
    return EquipmentPart.affair_id.in_(visible_affair_ids(actor))


def visible_equipment_files(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    return EquipmentFile.affair_id.in_(visible_affair_ids(actor))


def manages_equipment(actor: Actor) -> bool:
    """Who records machines, their warranties and documents: the office."""
    return actor.role in (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)


def visible_customers(actor: Actor, customer_id: ColumnRef) -> ColumnElement[bool]:
    """Customers of the affairs and service orders the actor sees."""
    if actor.sees_everything:
        return EVERYTHING
    return sa.or_(
        customer_id.in_(sa.select(Affair.customer_id).where(visible_affairs(actor))),
        customer_id.in_(sa.select(ServiceOrder.customer_id).where(visible_service_orders(actor))),
    )


def visible_sites(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    return sa.or_(
        Site.id.in_(sa.select(ServiceOrder.site_id).where(visible_service_orders(actor))),
        Site.id.in_(sa.select(Affair.site_id).where(visible_affairs(actor))),
    )


def visible_actions(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    return sa.or_(Action.assignee_id == actor.id, Action.affair_id.in_(visible_affair_ids(actor)))


def visible_checklist_runs(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    return sa.or_(
        ChecklistRun.service_order_id.in_(
            sa.select(ServiceOrder.id).where(visible_service_orders(actor))
        ),
        sa.and_(
            ChecklistRun.service_order_id.is_(None),
            ChecklistRun.affair_id.in_(visible_affair_ids(actor)),
        ),
    )


def visible_checklist_photos(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return EVERYTHING
    visible = sa.select(ChecklistRun.id).where(visible_checklist_runs(actor))
    return ChecklistPhoto.run_id.in_(visible)


def reads_quality(actor: Actor) -> bool:
    """Who follows the non-conformities checklists find: the office."""
    return actor.role in (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)


def visible_nonconformities(actor: Actor) -> ColumnElement[bool]:
    """A supervisor follows what their team's technicians found."""
    if actor.sees_everything:
        return EVERYTHING
    if actor.role != Role.SUPERVISOR:
        return NOTHING
    return _person_condition(Nonconformity.technician_id, actor)


def visible_blobs(actor: Actor) -> ColumnElement[bool]:
    """Blobs the actor may fetch or name in a change: those whose bytes
    they uploaded themselves, and those a record they see names (a photo
    or a signature on a checklist or a repair they see, a file of their
    equipment). Knowing a hash is not enough."""
    if actor.sees_everything:
        return EVERYTHING
    named = sa.select(ChecklistPhoto.sha256).where(
        ChecklistPhoto.deleted_at.is_(None), visible_checklist_photos(actor)
    )
    orders = sa.select(ServiceOrder.id).where(visible_service_orders(actor))
    intake_photos = sa.select(ServiceOrderPhoto.sha256).where(
        ServiceOrderPhoto.deleted_at.is_(None), ServiceOrderPhoto.service_order_id.in_(orders)
    )
    signatures = sa.select(ServiceOrder.signature_sha256).where(
        ServiceOrder.signature_sha256.is_not(None), visible_service_orders(actor)
    )
    held = sa.select(BlobHolder.sha256).where(BlobHolder.user_id == actor.id)
    filed = sa.select(EquipmentFile.sha256).where(
        EquipmentFile.deleted_at.is_(None), visible_equipment_files(actor)
    )
    # A signature answer's value is the image's hash, a JSON string: its
    # text is the hash in quotes on both databases.
    signed = sa.exists().where(
        ChecklistAnswer.deleted_at.is_(None),
        sa.cast(ChecklistAnswer.value, sa.Text) == sa.literal('"') + Blob.sha256 + '"',
        ChecklistAnswer.run_id.in_(sa.select(ChecklistRun.id).where(visible_checklist_runs(actor))),
    )
    return sa.or_(
        Blob.sha256.in_(held),
        Blob.sha256.in_(named),
        Blob.sha256.in_(filed),
        Blob.sha256.in_(intake_photos),
        Blob.sha256.in_(signatures),
        signed,
    )


# Vouchers: the office and sales issue them and read the list; whoever
# works in the field redeems them, and anybody who redeems may check a
# code (knowing it is what lets one spend it).
VOUCHER_ISSUERS = (Role.ADMIN, Role.MANAGER, Role.SALES)
VOUCHER_READERS = (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR, Role.SALES)
VOUCHER_REDEEMERS = (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN)


def issues_vouchers(actor: Actor) -> bool:
    return actor.role in VOUCHER_ISSUERS


def reads_vouchers(actor: Actor) -> bool:
    """Who may list every voucher."""
    return actor.role in VOUCHER_READERS


def redeems_vouchers(actor: Actor) -> bool:
    return actor.role in VOUCHER_REDEEMERS


def checks_voucher_codes(actor: Actor) -> bool:
    """Who may look a voucher up by its code."""
    return reads_vouchers(actor) or redeems_vouchers(actor)


def visible_voucher_redemptions(actor: Actor) -> ColumnElement[bool]:
    """Every redemption for the voucher readers; one's own for the others."""
    if reads_vouchers(actor):
        return EVERYTHING
    return VoucherRedemption.by_id == actor.id


def visible_vouchers(actor: Actor) -> ColumnElement[bool]:
    """Every voucher for the readers; the ones a person redeemed, for the
    others (their phone then shows what is left on it)."""
    if reads_vouchers(actor):
        return EVERYTHING
    redeemed = sa.select(VoucherRedemption.voucher_id).where(VoucherRedemption.by_id == actor.id)
    return Voucher.id.in_(redeemed)


# Costs and margins are the office's business, and the supervisors' for
# the people and affairs they see.
COST_READERS = (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)


def reads_costs(actor: Actor) -> bool:
    """Who may see hourly costs: labour on affairs, payroll and billing exports."""
    return actor.role in COST_READERS


def own_or_overseen(column: ColumnRef, actor: Actor) -> ColumnElement[bool]:
    """Rows about a person the actor oversees, or their own: conflicts,
    the time whose costs they read. A device's time and weeks follow
    ``visible_time``, which adds the people one approves for."""
    return _person_condition(column, actor)


def visible_time(column: ColumnRef, actor: Actor) -> ColumnElement[bool]:
    """Rows of a person's time (entries, weeks) the actor may see: their
    own and those they oversee, and the time of the people they are the
    named approver of (whom they may oversee in no other way).

    The approved people are a subquery for every actor who does not see
    everything, approver or not: the condition keeps one shape per
    ``Shape`` of person, as the pull's kept statements need.
    """
    if actor.sees_everything:
        return EVERYTHING
    return sa.or_(_person_condition(column, actor), column.in_(time_approved_people(actor)))


def visible_conflicts(actor: Actor) -> ColumnElement[bool]:
    return own_or_overseen(ConflictRecord.author_id, actor)


def reviews_devices(actor: Actor) -> bool:
    """Who may look at the list of devices: those who look after people."""
    return actor.sees_everything or actor.role == Role.SUPERVISOR


def visible_devices(actor: Actor) -> ColumnElement[bool]:
    """The installs of the people the actor oversees (and their own)."""
    if not reviews_devices(actor):
        return NOTHING
    return _person_condition(Device.user_id, actor)


def oversees(actor: Actor, person_team_id: uuid.UUID | None) -> bool:
    """May ``actor`` decide on the time and work of someone in that team?"""
    if actor.sees_everything:
        return True
    return (
        actor.role == Role.SUPERVISOR
        and person_team_id is not None
        and person_team_id in actor.supervised_team_ids
    )


def decides_on_time(actor: Actor) -> ColumnElement[bool]:
    """Does ``actor`` decide on anybody's time (approve, reject, remind)?
    Those who oversee people do, and whoever is someone's named approver.
    A condition to ask the database: ``select(decides_on_time(actor))``."""
    if actor.sees_everything or actor.role == Role.SUPERVISOR:
        return EVERYTHING
    return sa.exists(time_approved_people(actor))


def may_decide_for(actor: Actor, person_id: uuid.UUID, person_team_id: uuid.UUID | None) -> bool:
    """Nobody decides on their own time or their own conflicts; whoever
    oversees the person does."""
    return actor.id != person_id and oversees(actor, person_team_id)


def plans_work(actor: Actor) -> bool:
    """Who may look at people's availability and propose and accept a
    planning: those who steer every affair."""
    return actor.role in (Role.ADMIN, Role.MANAGER)


def manages_contracts(actor: Actor) -> bool:
    """Who may write maintenance contracts and plan their visits: those
    who steer every affair."""
    return actor.role in (Role.ADMIN, Role.MANAGER)


def reads_contracts(actor: Actor) -> bool:
    """Who may look at maintenance contracts: their writers, and the
    supervisors whose teams make the visits and repairs."""
    return actor.role in (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)


def sets_rates(actor: Actor) -> bool:
    """Who may enter people's hourly costs: the administrators (the others
    who plan work read them)."""
    return actor.role == Role.ADMIN


def may_decide_on_time(
    actor: Actor, person: User, affair_manager_id: uuid.UUID | None, route: str
) -> bool:
    """May ``actor`` approve or reject a line of ``person``'s time on an
    affair managed by ``affair_manager_id`` (None: no affair in question,
    or one without a manager), under the company's ``route``?

    Never one's own time. The administrators always may, and so does the
    approver named on the person (a manager with nobody above them). Then
    the route: "team" is whoever oversees the person (the team's
    supervisor, the managers); "affair" is the affair's manager alone, the
    team deciding when the affair has no manager but the person.
    """
    if actor.id == person.id:
        return False
    if actor.role == Role.ADMIN or person.time_approver_id == actor.id:
        return True
    if route == "affair" and affair_manager_id not in (None, person.id):
        return actor.id == affair_manager_id
    return oversees(actor, person.team_id)
