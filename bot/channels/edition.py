"""A publication as a channel shows it: its header content and its pieces, in order.

A daily report is its published items in the report's order; a digest is its published entries
grouped by region (an entry under its first region, in the newsletter's region order, entries
without a region last); a single article is itself. Rows come with regions and commentators
loaded, ready for the renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import ContentStatus, DailyReport, Digest, Entry, Region, ReportItem

Piece = Entry | ReportItem


def ref_of(row: Piece) -> tuple[str, int]:
    """("item", id) or ("entry", id): how delivery rows name what a message shows."""
    return ("item" if isinstance(row, ReportItem) else "entry", row.id)


@dataclass(frozen=True, slots=True)
class Section:
    region: Region | None  # the heading; None: no heading (a report) or "other" (a digest)
    rows: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Edition:
    kind: str  # report | digest | article
    id: int
    report: DailyReport | None = None
    digest: Digest | None = None
    sections: tuple[Section, ...] = ()
    grouped: bool = False  # sections are region headings (digests)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def rows(self) -> list[Piece]:
        return [row for section in self.sections for row in section.rows]

    @property
    def linked(self) -> list[Entry | ReportItem | Digest]:
        """Everything whose link its posts show."""
        return [*self.rows, *([self.digest] if self.digest is not None else [])]

    def only(self, keep: Iterable[Piece]) -> Edition:
        """The same edition with only some of its pieces (a forum topic's share)."""
        wanted = {ref_of(row) for row in keep}
        sections = tuple(
            Section(s.region, tuple(r for r in s.rows if ref_of(r) in wanted))
            for s in self.sections
        )
        return replace(self, sections=tuple(s for s in sections if s.rows))


async def load_editions(
    session: AsyncSession,
    *,
    report_ids: Sequence[int] = (),
    digest_ids: Sequence[int] = (),
    entry_ids: Sequence[int] = (),
) -> list[Edition]:
    """The editions of these publications (unpublished pieces left out), reports first."""
    editions: list[Edition] = []
    if report_ids:
        reports = await session.scalars(
            select(DailyReport).where(DailyReport.id.in_(list(report_ids))).order_by(DailyReport.id)
        )
        items = await session.scalars(
            select(ReportItem)
            .where(
                ReportItem.report_id.in_(list(report_ids)),
                ReportItem.status == ContentStatus.PUBLISHED,
            )
            .order_by(ReportItem.report_id, ReportItem.position, ReportItem.id)
            .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        )
        by_report: dict[int, list[ReportItem]] = {}
        for item in items:
            by_report.setdefault(item.report_id, []).append(item)
        for report in reports:
            rows = tuple(by_report.get(report.id, []))
            if rows:
                editions.append(
                    Edition("report", report.id, report=report, sections=(Section(None, rows),))
                )
    if digest_ids:
        digests = await session.scalars(
            select(Digest).where(Digest.id.in_(list(digest_ids))).order_by(Digest.id)
        )
        for digest in digests:
            entries = await _entries(session, Entry.digest_id == digest.id)
            editions.append(
                Edition(
                    "digest",
                    digest.id,
                    digest=digest,
                    sections=_by_region(entries),
                    grouped=True,
                )
            )
    if entry_ids:
        for entry in await _entries(session, Entry.id.in_(list(entry_ids))):
            editions.append(Edition("article", entry.id, sections=(Section(None, (entry,)),)))
    return editions


async def _entries(session: AsyncSession, where: object) -> list[Entry]:
    return list(
        await session.scalars(
            select(Entry)
            .where(where, Entry.status == ContentStatus.PUBLISHED)  # type: ignore[arg-type]
            .order_by(Entry.position, Entry.id)
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        )
    )


def _by_region(entries: Sequence[Entry]) -> tuple[Section, ...]:
    groups: dict[int | None, list[Entry]] = {}
    regions: dict[int, Region] = {}
    for entry in entries:
        first = entry.regions[0] if entry.regions else None
        if first is not None:
            regions[first.id] = first
        groups.setdefault(first.id if first else None, []).append(entry)
    order = sorted(
        groups, key=lambda rid: (rid is None, regions[rid].position if rid is not None else 0)
    )
    return tuple(
        Section(regions[rid] if rid is not None else None, tuple(groups[rid])) for rid in order
    )
