"""The benefits register of a programme (issue 16, part 1): the list (filtered, sorted and
downloaded as every list is), a benefit's page with its profile by financial year, adding and
changing a benefit (the programme office), and recording what it realised in a year (its
owner, also after the programme has closed, or the programme office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.dates import FinancialYear
from programmes.exports import ExportColumn
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import Column, Listing, programme_for, rag_rank, render_list, text_key
from programmes.models import Programme
from programmes.permissions import (
    Action,
    closed_refusal,
    get_for,
    is_closed_for,
    may_keep_benefits,
    may_record_benefit_realisation,
)
from workstreams.benefit_forms import BenefitFilterSet, BenefitForm, RealisationForm
from workstreams.benefits import BenefitRow, load_benefit_rows
from workstreams.models import Benefit, BenefitYear
from workstreams.services.benefits import (
    add_benefit,
    edit_benefit,
    profile_years,
    record_realisation,
)

BENEFITS = Listing(
    name="benefits",
    singular="benefit",
    plural="benefits",
    template="lists/benefits.html",
    columns=[
        Column("reference", "Ref", lambda r: r.benefit.sort_key, css="app-table__reference"),
        Column("title", "Benefit", lambda r: text_key(r.benefit.title)),
        Column("owner", "Owner", lambda r: text_key(r.benefit.owner and r.benefit.owner.name)),
        Column("status", "Status", lambda r: r.benefit.get_status_display()),
        Column("planned", "Planned to date", lambda r: r.planned_to_date, numeric=True),
        Column("realised", "Realised to date", lambda r: r.realised_to_date, numeric=True),
        Column("rag", "RAG", lambda r: rag_rank(r.result.rag)),
    ],
    export_columns=[
        ExportColumn("Reference", lambda r: r.reference),
        ExportColumn("Benefit", lambda r: r.title),
        ExportColumn("Type", lambda r: r.type_label),
        ExportColumn("Owner", lambda r: r.benefit.owner.name if r.benefit.owner else ""),
        ExportColumn("Beneficiary", lambda r: r.benefit.beneficiary),
        ExportColumn("Status", lambda r: r.benefit.get_status_display()),
        ExportColumn("Confidence", lambda r: r.benefit.get_confidence_display()),
        ExportColumn("Unit", lambda r: r.benefit.get_unit_display()),
        ExportColumn("Planned to date", lambda r: r.planned_to_date),
        ExportColumn("Realised to date", lambda r: r.realised_to_date),
        ExportColumn("Planned in all", lambda r: r.planned_total),
        ExportColumn("RAG", lambda r: r.result.label),
        ExportColumn("Why", lambda r: r.reason),
    ],
    default_sort="reference",
)


@login_required
@require_safe
def benefit_list(request, programme_id: int):
    programme = programme_for(request, programme_id)
    today = timezone.localdate()
    filterset = BenefitFilterSet(
        request.GET, programme=programme, queryset=Benefit.objects.filter(programme=programme)
    )
    return render_list(
        request,
        programme,
        BENEFITS,
        filterset,
        lambda: load_benefit_rows(programme, as_of=today, queryset=filterset.qs),
        as_of=today,
        context={
            "can_add": may_keep_benefits(request.user, programme),
            "tolerance": programme.benefit_tolerance_percent,
        },
    )


def _context(programme: Programme, **extra) -> dict:
    return {"programme": programme, "header_organisation": programme.organisation, **extra}


def _benefit(request, benefit_id: int, action: Action = Action.VIEW) -> Benefit:
    """The benefit from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        Benefit.objects.select_related("programme__organisation", "owner"),
        pk=benefit_id,
    )


def _year_added(record) -> str:
    """What a year's first record says: its planned amount, or what was realised."""
    parts = []
    if record.planned is not None:
        parts.append(f"Planned {record.planned.normalize():f}")
    if record.realised is not None:
        parts.append(f"Realised {record.realised.normalize():f}")
    return "; ".join(parts) or "Added"


def _history(benefit: Benefit) -> list:
    return describe_history(
        [
            HistorySource(Benefit.history.filter(id=benefit.pk), lambda r: "Benefit"),
            HistorySource(
                BenefitYear.history.filter(benefit_id=benefit.pk),
                lambda r: str(FinancialYear(r.financial_year)),
                _year_added,
            ),
        ],
        limit=40,
    )


@login_required
@require_safe
def benefit_detail(request, benefit_id: int):
    benefit = _benefit(request, benefit_id)
    programme = benefit.programme
    today = timezone.localdate()
    row: BenefitRow = load_benefit_rows(
        programme,
        as_of=today,
        queryset=Benefit.objects.visible_to(request.user).filter(pk=benefit.pk),
    )[0]
    stored = {year.financial_year: year for year in row.years}
    current = FinancialYear.containing(today).start_year
    years = [
        {
            "financial_year": year,
            "label": str(FinancialYear(year)),
            "record": stored.get(year),
            "planned_label": row.amount(stored[year].planned) if year in stored else "",
            "realised_label": row.amount(stored[year].realised) if year in stored else "",
            "begun": year <= current,
        }
        for year in profile_years(programme, list(stored))
    ]
    return render(
        request,
        "workstreams/benefit_detail.html",
        _context(
            programme,
            benefit=benefit,
            row=row,
            years=years,
            workstreams=list(benefit.workstreams.all()),
            measures=list(benefit.measures.select_related("workstream")),
            can_edit=may_keep_benefits(request.user, programme),
            can_record=may_record_benefit_realisation(request.user, benefit),
            closed=is_closed_for(request.user, benefit),
            history=_history(benefit),
        ),
    )


def _form_page(request, form: BenefitForm, programme: Programme, benefit: Benefit | None):
    return render(
        request,
        "workstreams/benefit_form.html",
        _context(programme, form=form, benefit=benefit),
        status=400 if form.errors else 200,
    )


@login_required
def benefit_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.EDIT_PLAN)
    form = BenefitForm(posted(request), programme=programme)
    benefit = save_form(
        form,
        lambda data: add_benefit(programme, by=request.user, details=form.details(data)),
        noun="benefit",
    )
    if benefit is not None:
        messages.success(request, f"Benefit {benefit} added")
        return redirect("benefit_detail", benefit.pk)
    return _form_page(request, form, programme, None)


@login_required
def benefit_edit(request, benefit_id: int):
    benefit = _benefit(request, benefit_id)
    programme = benefit.programme
    if not may_keep_benefits(request.user, programme):
        if is_closed_for(request.user, benefit):
            raise closed_refusal(benefit)
        raise PermissionDenied(
            f"Your role does not allow you to change the benefits register ({benefit})"
        )
    form = BenefitForm(posted(request), programme=programme, benefit=benefit)
    saved = save_form(
        form,
        lambda data: edit_benefit(
            benefit, by=request.user, version=data["version"], details=form.details(data)
        ),
        noun="benefit",
    )
    if saved is not None:
        messages.success(request, f"Benefit {saved} saved")
        return redirect("benefit_detail", saved.pk)
    return _form_page(request, form, programme, benefit)


@login_required
def benefit_realisation(request, benefit_id: int, year: int):
    """Record, or correct, what the benefit realised in one financial year."""
    benefit = _benefit(request, benefit_id)
    if not may_record_benefit_realisation(request.user, benefit):
        if is_closed_for(request.user, benefit):
            raise closed_refusal(benefit)
        raise PermissionDenied(
            f"Only the benefit's owner or the programme office records what it realised ({benefit})"
        )
    programme = benefit.programme
    if year not in profile_years(
        programme, list(benefit.years.values_list("financial_year", flat=True))
    ):
        raise Http404("That year is not in the benefit's profile")
    stored = BenefitYear.objects.filter(benefit=benefit, financial_year=year).first()
    form = RealisationForm(posted(request), benefit=benefit, year=stored, financial_year=year)
    saved = save_form(
        form,
        lambda data: record_realisation(
            benefit,
            by=request.user,
            financial_year=year,
            realised=data.get("realised"),
            evidence=data["evidence"],
            version=data.get("version"),
        ),
        noun="realisation",
    )
    if saved is not None:
        messages.success(request, f"Realisation for {FinancialYear(year)} saved")
        return redirect("benefit_detail", benefit.pk)
    return render(
        request,
        "workstreams/benefit_realisation.html",
        _context(
            programme,
            benefit=benefit,
            form=form,
            stored=stored,
            financial_year=FinancialYear(year),
        ),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
