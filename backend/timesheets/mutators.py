"""Mutators of time entries and weeks (PROTOCOL.md, Mutators)."""

from __future__ import annotations

from backend.db.models import Role
from backend.offline.context import MutationContext
from backend.timesheets import services
from backend.timesheets.batch import entry_in_batch
from backend.timesheets.schemas import (
    TimeEntryDelete,
    TimeEntryPut,
    WeekApprove,
    WeekReject,
    WeekReopen,
    WeekSubmit,
)
from sync.outcomes import Kept
from sync.registry import MutatorRegistry

# Everybody keeps their own time; only those who oversee others decide on it.
EVERYONE = [role.value for role in Role]
DECIDERS = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value]


def register(registry: MutatorRegistry, rules: services.TimeRules) -> None:
    @registry.register("time_entry.put", TimeEntryPut, EVERYONE, entry_in_batch(rules))
    async def put(ctx: MutationContext, args: TimeEntryPut) -> Kept | None:
        return await services.put_entry(ctx, args, rules)

    @registry.register("time_entry.delete", TimeEntryDelete, EVERYONE)
    async def delete(ctx: MutationContext, args: TimeEntryDelete) -> None:
        await services.delete_entry(ctx, args.id)

    @registry.register("timesheet.submit", WeekSubmit, EVERYONE)
    async def submit(ctx: MutationContext, args: WeekSubmit) -> None:
        await services.submit_week(ctx, args.week)

    @registry.register("timesheet.approve", WeekApprove, DECIDERS)
    async def approve(ctx: MutationContext, args: WeekApprove) -> None:
        await services.approve_week(ctx, args.user_id, args.week)

    @registry.register("timesheet.reject", WeekReject, DECIDERS)
    async def reject(ctx: MutationContext, args: WeekReject) -> None:
        await services.reject_week(ctx, args.user_id, args.week, args.reason)

    @registry.register("timesheet.reopen", WeekReopen, DECIDERS)
    async def reopen(ctx: MutationContext, args: WeekReopen) -> None:
        await services.reopen_week(ctx, args.user_id, args.week)
