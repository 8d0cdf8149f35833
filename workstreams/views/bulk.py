"""Update many milestones in one form: a lead their workstream's, a project manager their
area's. A row per open milestone (status, forecast, completion date, at risk, a note), each
with its milestone's version; saved all together or not at all, every refusal shown by its
row, and a row someone else changed meanwhile shown as a conflict naming what they changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from programmes.forms import add_errors, posted
from programmes.history import conflict_message
from programmes.models import ProgrammeArea, StaleEdit
from programmes.permissions import Action, get_for
from programmes.rules import RagResult
from programmes.templatetags.govuk import first_input_id
from workstreams.assessment import rate_milestone
from workstreams.forms import MilestoneRowForm
from workstreams.models import Milestone, MilestoneStatus, ProgressNote, Workstream
from workstreams.services.bulk import BulkUpdateRefused, MilestoneUpdate, update_milestones


@dataclass
class Row:
    milestone: Milestone
    form: MilestoneRowForm
    rating: RagResult


@dataclass
class Group:
    """The rows of one workstream (an area's page has several)."""

    workstream: Workstream
    rows: list[Row]


_SENT_ROW = re.compile(r"m([0-9]{1,12})-")


def _sent(request) -> set[int]:
    """The milestones whose rows the page sent back (their fields are named m<id>-...)."""
    if request.method != "POST":
        return set()
    return {int(found[1]) for key in request.POST if (found := _SENT_ROW.match(key))}


def _open_milestones(request, **where) -> list[Milestone]:
    """The rows of the page: the open milestones; on a save, those the page showed (sent
    back). So a milestone someone else has completed since shows its conflict on its row,
    rather than the user's changes to it being dropped while the other rows are saved; and
    one added since, which the user has not seen, stops nothing."""
    milestones = Milestone.objects.visible_to(request.user).filter(**where)
    if request.method == "POST":
        milestones = milestones.filter(pk__in=_sent(request))
    else:
        milestones = milestones.exclude(status=MilestoneStatus.COMPLETE)
    return list(
        milestones.select_related("workstream").order_by(
            "workstream__sort_key", "position", "sort_key"
        )
    )


def _removed_since(request, milestones: list[Milestone], **where) -> list[str]:
    """Why the save is refused if someone else removed a milestone the page showed: the
    user's changes to it would otherwise go nowhere without a word. The page shown again no
    longer has its row, so the next save goes through."""
    gone = _sent(request) - {milestone.pk for milestone in milestones}
    if not gone:
        return []
    removed = Milestone.history.filter(id__in=gone, history_type="-", **where).order_by("sort_key")
    return [
        f"Someone else removed milestone {record.reference} ({record.title}) after you opened "
        "this page. Nothing has been saved: check the milestones below and save again."
        for record in removed
    ]


def _rows(request, milestones: list[Milestone], programme, areas) -> list[Row]:
    """A form per milestone, as sent (POST) or as stored, with the milestone's rating now."""
    today = timezone.localdate()
    with_notes = set(
        ProgressNote.objects.filter(milestone__in=[m.pk for m in milestones]).values_list(
            "milestone_id", flat=True
        )
    )
    rows = []
    for milestone in milestones:
        tolerance = programme.tolerances_for(areas[milestone.workstream.area_id]).time_days
        rating = rate_milestone(
            milestone,
            as_of=today,
            tolerance_days=tolerance,
            has_notes=milestone.pk in with_notes,
        )
        form = MilestoneRowForm(posted(request), milestone=milestone, today=today)
        rows.append(Row(milestone, form, rating))
    return rows


def _update(row: Row) -> MilestoneUpdate:
    data = row.form.cleaned_data
    return MilestoneUpdate(
        milestone=row.milestone,
        version=data["version"],
        status=data["status"],
        forecast=data["forecast"],
        actual_date=data["actual_date"],
        at_risk=data["at_risk"],
        note=data["note"],
    )


def _at_version(form: MilestoneRowForm, version: int) -> None:
    """The row as the user filled it, at the version now stored: sending it again then goes
    through, once they have seen the other change."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    form.full_clean()


def _save(request, rows: list[Row]) -> bool:
    """Save the rows, all or none. False, with each refusal on its row, if any is refused."""
    if not all(row.form.is_valid() for row in rows):
        return False
    try:
        update_milestones([_update(row) for row in rows], by=request.user)
    except BulkUpdateRefused as refused:
        fresh = (
            Milestone.objects.visible_to(request.user)
            .select_related("workstream")
            .in_bulk([row.milestone.pk for row in rows])
        )
        for row in rows:
            sent_version = row.form.cleaned_data["version"]
            # Each row's milestone as stored, since the refused save changed the copies.
            row.milestone = fresh.get(row.milestone.pk, row.milestone)
            row.form.milestone = row.form.instance = row.milestone
            problem = refused.problems.get(row.milestone.pk)
            if isinstance(problem, StaleEdit):
                _at_version(row.form, problem.stored_version)
                row.form.add_error(
                    None,
                    conflict_message(
                        Milestone,
                        row.milestone.pk,
                        sent_version,
                        f"milestone ({row.milestone.reference})",
                        outcome="Your changes are below and nothing has been saved: check "
                        "them and save again.",
                    ),
                )
                row.form.conflict = problem
            elif problem is not None:
                add_errors(row.form, problem)
        return False
    return True


def _error_summary(rows: list[Row]) -> list[tuple[str, str]]:
    """(link, message) of every problem, each named by its milestone, linking to its field."""
    errors = []
    for row in rows:
        reference = row.milestone.reference
        for error in row.form.non_field_errors():
            errors.append((f"#row-{row.milestone.pk}", f"{reference}: {error}"))
        for bound in row.form:
            for error in bound.errors:
                errors.append((f"#{first_input_id(bound)}", f"{reference}: {error}"))
    return errors


def _page(request, *, rows, removed, heading, caption, back, programme, workstream=None, area=None):
    if request.method == "POST" and not removed and _save(request, rows):
        messages.success(request, "Milestones updated")
        return redirect(back)
    groups = []
    for row in rows:
        if not groups or groups[-1].workstream.pk != row.milestone.workstream_id:
            groups.append(Group(row.milestone.workstream, []))
        groups[-1].rows.append(row)
    errors = [("#main-content", message) for message in removed]
    if request.method == "POST":
        errors += _error_summary(rows)
    conflicts = removed or any(row.form.conflict for row in rows)
    return render(
        request,
        "workstreams/bulk_milestones.html",
        {
            "groups": groups,
            "errors": errors,
            "heading": heading,
            "caption": caption,
            "back": back,
            "programme": programme,
            "workstream": workstream,
            "area": area,
            "header_organisation": programme.organisation,
        },
        status=409 if conflicts else 400 if errors else 200,
    )


@login_required
def workstream_milestones_update(request, workstream_id: int):
    workstream = get_for(
        request.user,
        Action.UPDATE_MILESTONE,
        Workstream.objects.select_related("programme__organisation", "area"),
        pk=workstream_id,
    )
    milestones = _open_milestones(request, workstream=workstream)
    removed = _removed_since(request, milestones, workstream=workstream)
    for milestone in milestones:
        milestone.workstream = workstream
    programme = workstream.programme
    rows = _rows(request, milestones, programme, {workstream.area_id: workstream.area})
    return _page(
        request,
        rows=rows,
        removed=removed,
        heading="Update milestones",
        caption=f"{workstream.reference} {workstream.name}",
        back=workstream.get_absolute_url() + "#milestones",
        programme=programme,
        workstream=workstream,
    )


@login_required
def area_milestones_update(request, area_id: int):
    area = get_for(
        request.user,
        Action.UPDATE_MILESTONE,
        ProgrammeArea.objects.select_related("programme__organisation"),
        pk=area_id,
    )
    where = {"workstream__area": area, "workstream__closed_on__isnull": True}
    milestones = _open_milestones(request, **where)
    removed = _removed_since(request, milestones, **where)
    programme = area.programme
    rows = _rows(request, milestones, programme, {area.pk: area})
    return _page(
        request,
        rows=rows,
        removed=removed,
        heading="Update milestones",
        caption=f"{area.reference} {area.name}",
        back=area.get_absolute_url(),
        programme=programme,
        area=area,
    )
