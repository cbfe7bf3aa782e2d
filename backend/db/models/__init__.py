"""All tables, one module per context, imported here so metadata is whole."""

import functools

import sqlalchemy as sa

from backend.db.base import Base, Synced
from backend.db.models.affairs import (
    Action,
    ActionKind,
    ActionSkill,
    Affair,
    AffairKind,
    AffairMember,
    AffairStatus,
    BudgetKind,
    BudgetLine,
)
from backend.db.models.aftersales import (
    ChecklistAnswer,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistRunStatus,
    ChecklistTemplate,
    ContractEquipment,
    ContractLine,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    Nonconformity,
    NonconformityKind,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderNote,
    ServiceOrderPhoto,
    ServiceOrderStatus,
    ServiceOrderStep,
    WarrantyBasis,
)
from backend.db.models.catalog import Product, ProductKind
from backend.db.models.equipment_parts import (
    EquipmentFile,
    EquipmentFileKind,
    EquipmentPart,
    PartAction,
    ServiceOrderPart,
)
from backend.db.models.offline import (
    AppliedMutation,
    Blob,
    BlobHolder,
    ChangeLogEntry,
    ConflictRecord,
    ConflictStatus,
    Device,
    MutationStatus,
    PurgedEntity,
    ScopeSet,
    SyncHorizon,
)
from backend.db.models.parties import Contact, Customer, Site
from backend.db.models.people import (
    Absence,
    AbsencePart,
    AuthSession,
    CalendarKey,
    HourlyRate,
    PersonSkill,
    PublicHoliday,
    Role,
    Team,
    User,
    WorkingHours,
)
from backend.db.models.timesheets import (
    ApprovedCost,
    LineDecision,
    PlanningProposal,
    TimeEntry,
    TimesheetWeek,
    WeekStatus,
)
from backend.db.models.vouchers import Voucher, VoucherRedemption

__all__ = [
    "Absence",
    "AbsencePart",
    "Action",
    "ActionKind",
    "ActionSkill",
    "Affair",
    "AffairKind",
    "AffairMember",
    "AffairStatus",
    "AppliedMutation",
    "ApprovedCost",
    "AuthSession",
    "Blob",
    "BlobHolder",
    "BudgetKind",
    "BudgetLine",
    "CalendarKey",
    "ChangeLogEntry",
    "ChecklistAnswer",
    "ChecklistPhoto",
    "ChecklistRun",
    "ChecklistRunStatus",
    "ChecklistTemplate",
    "ConflictRecord",
    "ConflictStatus",
    "Contact",
    "ContractEquipment",
    "ContractLine",
    "ContractStatus",
    "Customer",
    "Device",
    "Equipment",
    "EquipmentFile",
    "EquipmentFileKind",
    "EquipmentPart",
    "HourlyRate",
    "LineDecision",
    "MaintenanceContract",
    "MutationStatus",
    "Nonconformity",
    "NonconformityKind",
    "PartAction",
    "PersonSkill",
    "PlanningProposal",
    "Product",
    "ProductKind",
    "PublicHoliday",
    "PurgedEntity",
    "RepairStep",
    "Role",
    "ScopeSet",
    "ServiceOrder",
    "ServiceOrderKind",
    "ServiceOrderNote",
    "ServiceOrderPart",
    "ServiceOrderPhoto",
    "ServiceOrderStatus",
    "ServiceOrderStep",
    "Site",
    "SyncHorizon",
    "Team",
    "TimeEntry",
    "TimesheetWeek",
    "User",
    "Voucher",
    "VoucherRedemption",
    "WarrantyBasis",
    "WeekStatus",
    "WorkingHours",
    "synced_tables",
]


@functools.cache
def synced_tables() -> dict[str, sa.Table]:
    """Every synced table by its sync type (``service_order`` ...)."""
    found: dict[str, sa.Table] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Synced):
            found[cls.sync_type] = cls.__table__  # type: ignore[attr-defined]
    return found
