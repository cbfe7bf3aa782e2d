"""Mutators of time entries and weeks (PROTOCOL.md, Mutators)."""

from __future__ import annotations

from backend.db.models import Role
from backend.offline.context import MutationContext
from backend.timesheets import approval, services
from backend.timesheets.batch import entry_in_batch
from backend.timesheets.schemas import (
    TimeEntryApprove,
    TimeEntryDelete,
    TimeEntryPut,
    TimeEntryReject,
    WeekApprove,
    WeekReject,
    WeekReopen,
    WeekSubmit,
)
from sync.outcomes import Kept
from sync.registry import MutatorRegistry

# Everybody keeps their own time. Who decides on someone's time is not a
# matter of role alone (a person's named approver, an affair's manager):
# ``policy.may_decide_on_time`` answers for each line.
EVERYONE = [role.value for role in Role]


def register(registry: MutatorRegistry, rules: services.TimeRules) -> None:
    route = rules.approval

    @registry.register("time_entry.put", TimeEntryPut, EVERYONE, entry_in_batch(rules))
    async def put(ctx: MutationContext, args: TimeEntryPut) -> Kept | None:
        return await services.put_entry(ctx, args, rules)

    @registry.register("time_entry.delete", TimeEntryDelete, EVERYONE)
    async def delete(ctx: MutationContext, args: TimeEntryDelete) -> None:
        await services.delete_entry(ctx, args.id)

    @registry.register("time_entry.approve", TimeEntryApprove, EVERYONE)
    async def approve_entry(ctx: MutationContext, args: TimeEntryApprove) -> None:
        await approval.approve_entry(ctx, args.id, route)

    @registry.register("time_entry.reject", TimeEntryReject, EVERYONE)
    async def reject_entry(ctx: MutationContext, args: TimeEntryReject) -> None:
        await approval.reject_entry(ctx, args.id, args.reason, route)

    @registry.register("timesheet.submit", WeekSubmit, EVERYONE)
    async def submit(ctx: MutationContext, args: WeekSubmit) -> None:
        await services.submit_week(ctx, args.week)

    @registry.register("timesheet.approve", WeekApprove, EVERYONE)
    async def approve(ctx: MutationContext, args: WeekApprove) -> None:
        await approval.approve_week(ctx, args.user_id, args.week, route)

    @registry.register("timesheet.reject", WeekReject, EVERYONE)
    async def reject(ctx: MutationContext, args: WeekReject) -> None:
        await approval.reject_week(ctx, args.user_id, args.week, args.reason, route)

    @registry.register("timesheet.reopen", WeekReopen, EVERYONE)
    async def reopen(ctx: MutationContext, args: WeekReopen) -> None:
        await approval.reopen_week(ctx, args.user_id, args.week, route)
