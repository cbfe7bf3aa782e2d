"""What an import did: counts per kind of record, rows left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class KindCounts:
    """Rows of one kind: new, changed, and found as they already were."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RowNote:
    """One row of the source and what happened to it, in plain words."""

    table: str
    rowid: int
    reason: str


@dataclass
class ImportReport:
    """The outcome of one import.

    ``counts`` is keyed by the kind of record written (``affair``,
    ``time_entry``...). ``skipped`` lists source rows not imported at all;
    ``partial`` lists rows imported without one of their values (a taken
    e-mail, an unknown country, text cut to its column's size).
    ``tables_not_imported`` names the source's tables the importer does
    not read, so nobody believes they were.
    """

    counts: dict[str, KindCounts] = field(default_factory=dict)
    skipped: list[RowNote] = field(default_factory=list)
    partial: list[RowNote] = field(default_factory=list)
    tables_not_imported: list[str] = field(default_factory=list)

    def of(self, kind: str) -> KindCounts:
        """The counts of ``kind``, zero if nothing of that kind was seen."""
        return self.counts.setdefault(kind, KindCounts())

    @property
    def written(self) -> int:
        """Rows inserted or updated: zero when an import changed nothing."""
        return sum(counts.imported + counts.updated for counts in self.counts.values())

    def describe(self) -> str:
        """The report as lines of text for the person who ran the import."""
        lines = [
            f"{kind}: {counts.imported} imported, {counts.updated} updated, "
            f"{counts.unchanged} unchanged"
            for kind, counts in self.counts.items()
        ]
        lines += [f"skipped {note.table} {note.rowid}: {note.reason}" for note in self.skipped]
        lines += [f"partial {note.table} {note.rowid}: {note.reason}" for note in self.partial]
        if self.tables_not_imported:
            lines.append("not imported: " + ", ".join(self.tables_not_imported))
        return "\n".join(lines) or "nothing to import"
