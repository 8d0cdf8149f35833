"""Writes to the plan's top level. Each is one transaction."""

from __future__ import annotations

from django.db import transaction

from programmes.choices import MembershipSource, Role
from programmes.models import KeyDocument, Membership, ProgrammeArea


def _sync(*, programme_id, area_id, workstream_id, wanted: dict[str, int | None]) -> None:
    """Make the plan-sourced memberships of one scope match `wanted` (role -> person id)."""
    existing = Membership.objects.filter(
        programme_id=programme_id,
        area_id=area_id,
        workstream_id=workstream_id,
        source=MembershipSource.PLAN,
        role__in=list(wanted),
    )
    for membership in existing:
        if wanted.get(membership.role) != membership.person_id:
            membership.delete()
    for role, person_id in wanted.items():
        if person_id is None:
            continue
        Membership.objects.get_or_create(
            person_id=person_id,
            role=role,
            programme_id=programme_id,
            area_id=area_id,
            workstream_id=workstream_id,
            defaults={"source": MembershipSource.PLAN},
        )


@transaction.atomic
def sync_area_memberships(area: ProgrammeArea) -> None:
    """The area's sponsor and project manager hold those roles in it (DOMAIN.md section 2)."""
    _sync(
        programme_id=area.programme_id,
        area_id=area.pk,
        workstream_id=None,
        wanted={Role.SPONSOR: area.sponsor_id, Role.PROJECT_MANAGER: area.project_manager_id},
    )


@transaction.atomic
def sync_workstream_memberships(workstream) -> None:
    """The workstream's lead holds the workstream lead role in it."""
    _sync(
        programme_id=workstream.programme_id,
        area_id=None,
        workstream_id=workstream.pk,
        wanted={Role.WORKSTREAM_LEAD: workstream.lead_id},
    )


SETTINGS = (
    "board_name",
    "rag_scale",
    "overall_rag",
    "overall_commentary",
    "time_tolerance_days",
    "cost_tolerance_percent",
    "benefit_tolerance_percent",
    "risk_tolerance_score",
    "risk_amber_from",
    "risk_red_from",
    "reminder_days",
    "report_working_day",
    "auto_close_periods",
)


@transaction.atomic
def change_programme_settings(programme, *, by, version: int, settings: dict):
    """The programme office sets the board, scale, board rating, tolerances, risk bands and
    reminders; the history keeps every change."""
    from programmes.permissions import Action, require

    require(by, Action.MANAGE_PROGRAMME, programme)
    for name in SETTINGS:
        value = settings.get(name)
        if isinstance(value, str):
            value = value.strip()
        setattr(programme, name, value if value is not None else "")
    programme.version = version
    programme._history_user = by
    programme.full_clean(exclude=["version", "sort_key"])
    programme.save()
    return programme


def key_document_titles(text: str) -> list[str]:
    """Titles from key documents written as text, one per line or separated by semicolons."""
    titles = (title.strip() for title in (text or "").replace("\n", ";").split(";"))
    return [title[:300] for title in titles if title]


@transaction.atomic
def replace_key_documents(area: ProgrammeArea, titles: list[str], *, by=None) -> bool:
    """Make the area's key documents these titles, in this order, keeping the link of each
    title it already had. Says whether anything changed."""
    existing = {document.title: document for document in area.documents.all()}
    if [document.title for document in existing.values()] == titles:
        return False
    for title in set(existing) - set(titles):
        document = existing.pop(title)
        document._history_user = by
        document.delete()
    for position, title in enumerate(titles):
        document = existing.get(title) or KeyDocument(area=area, title=title)
        if document.pk is None or document.position != position:
            document.position = position
            document._history_user = by
            document.save()
    return True
