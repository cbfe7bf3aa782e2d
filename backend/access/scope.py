"""What a person's devices hold offline: one condition per synced type.

Built from the same rules as the API's queries (``backend.access.policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import (
    ChecklistAnswer,
    ChecklistRun,
    Customer,
    ServiceOrder,
    ServiceOrderNote,
    ServiceOrderPart,
    ServiceOrderPhoto,
    ServiceOrderStep,
    TimeEntry,
    TimesheetWeek,
    User,
)

Scope = Callable[[Actor], ColumnElement[bool]]


def _everyone(_actor: Actor) -> ColumnElement[bool]:
    return policy.EVERYTHING


def _office_only(actor: Actor) -> ColumnElement[bool]:
    return policy.EVERYTHING if actor.sees_everything else policy.NOTHING


def _notes(actor: Actor) -> ColumnElement[bool]:
    visible = sa.select(ServiceOrder.id).where(policy.visible_service_orders(actor))
    return ServiceOrderNote.service_order_id.in_(visible)


def _steps(actor: Actor) -> ColumnElement[bool]:
    visible = sa.select(ServiceOrder.id).where(policy.visible_service_orders(actor))
    return ServiceOrderStep.service_order_id.in_(visible)


def _order_photos(actor: Actor) -> ColumnElement[bool]:
    visible = sa.select(ServiceOrder.id).where(policy.visible_service_orders(actor))
    return ServiceOrderPhoto.service_order_id.in_(visible)


def _answers(actor: Actor) -> ColumnElement[bool]:
    visible = sa.select(ChecklistRun.id).where(policy.visible_checklist_runs(actor))
    return ChecklistAnswer.run_id.in_(visible)


def _order_parts(actor: Actor) -> ColumnElement[bool]:
    visible = sa.select(ServiceOrder.id).where(policy.visible_service_orders(actor))
    return ServiceOrderPart.service_order_id.in_(visible)


SCOPES: dict[str, Scope] = {
    "user": policy.visible_users,
    "customer": lambda actor: policy.visible_customers(actor, Customer.id),
    "site": policy.visible_sites,
    "product": _everyone,
    "affair": policy.visible_affairs,
    "action": policy.visible_actions,
    "service_order": policy.visible_service_orders,
    "equipment": policy.visible_equipment,
    "equipment_part": policy.visible_equipment_parts,
    "equipment_file": policy.visible_equipment_files,
    "service_order_part": _order_parts,
    "service_order_note": _notes,
    "service_order_step": _steps,
    "service_order_photo": _order_photos,
    "checklist_template": _everyone,
    "checklist_run": policy.visible_checklist_runs,
    "checklist_answer": _answers,
    "checklist_photo": policy.visible_checklist_photos,
    "maintenance_contract": _office_only,
    "time_entry": lambda actor: policy.visible_time(TimeEntry.user_id, actor),
    "timesheet_week": lambda actor: policy.visible_time(TimesheetWeek.user_id, actor),
    "conflict": policy.visible_conflicts,
    "voucher": policy.visible_vouchers,
    "voucher_redemption": policy.visible_voucher_redemptions,
}


def scope_of(sync_type: str, actor: Actor) -> ColumnElement[bool]:
    return SCOPES[sync_type](actor)


def _decider_name() -> sa.ColumnElement[Any]:
    # The person whose week it is may not see who decided it (a manager
    # outside the team): the week carries the name, and nothing more of them.
    return (
        sa.select(User.name)
        .where(User.id == TimesheetWeek.decided_by_id)
        .scalar_subquery()
        .label("decided_by_name")
    )


# Columns a device receives beside a type's own, computed when it is read.
EXTRA_COLUMNS: dict[str, Callable[[], sa.ColumnElement[Any]]] = {
    "timesheet_week": _decider_name,
}


def synced_select(sync_type: str, table: sa.Table) -> sa.Select[Any]:
    """The rows of a synced type as devices receive them."""
    extra = EXTRA_COLUMNS.get(sync_type)
    return sa.select(table, extra()) if extra else sa.select(table)
