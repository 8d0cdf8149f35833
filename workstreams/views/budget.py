"""A workstream's budget: its lines by financial year (allocated, spent, forecast, variance,
funding source and the explanation a variance of more than 5% needs), and the pages that keep
them: the project manager and the office add, change and remove lines; the workstream's lead
keeps spent, forecast and the explanation current."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from programmes.dates import FinancialYear
from programmes.forms import ChangeForm, posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.permissions import Action, get_for, may
from workstreams.forms import BudgetFiguresForm, BudgetLineForm
from workstreams.models import BudgetLine, Workstream
from workstreams.services.budget import (
    BudgetFigures,
    BudgetLineDetails,
    add_budget_line,
    edit_budget_line,
    remove_budget_line,
    update_budget_figures,
)


@dataclass
class BudgetYear:
    """One financial year of a workstream's budget: its lines and their totals."""

    financial_year: FinancialYear
    lines: list[BudgetLine] = field(default_factory=list)

    @property
    def allocated(self) -> Decimal:
        return sum((line.allocated for line in self.lines), Decimal(0))

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), Decimal(0))

    @property
    def forecast(self) -> Decimal:
        return sum((line.forecast for line in self.lines), Decimal(0))

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.allocated


def _workstream(request, workstream_id: int, action: Action) -> Workstream:
    return get_for(
        request.user,
        action,
        Workstream.objects.select_related("programme__organisation", "area"),
        pk=workstream_id,
    )


def _line(request, line_id: int, action: Action) -> BudgetLine:
    """The line from those the user may see (404), if their role allows the action (403)."""
    return get_for(
        request.user,
        action,
        BudgetLine.objects.select_related("workstream__programme__organisation"),
        pk=line_id,
    )


def _context(workstream: Workstream, **extra) -> dict:
    return {
        "workstream": workstream,
        "programme": workstream.programme,
        "header_organisation": workstream.programme.organisation,
        **extra,
    }


@login_required
@require_safe
def workstream_budget(request, workstream_id: int):
    workstream = _workstream(request, workstream_id, Action.VIEW)
    lines = BudgetLine.objects.filter(workstream=workstream).order_by(
        "financial_year", "description", "pk"
    )
    years = [
        BudgetYear(FinancialYear(year), list(in_year))
        for year, in_year in groupby(lines, key=lambda line: line.financial_year)
    ]
    history = describe_history(
        [
            HistorySource(
                BudgetLine.history.filter(workstream_id=workstream.pk),
                lambda record: (
                    f"{FinancialYear(record.financial_year)} {record.description}".strip()
                ),
            )
        ],
        limit=40,
    )
    can_edit_plan = may(request.user, Action.EDIT_PLAN, workstream)
    return render(
        request,
        "workstreams/budget.html",
        _context(
            workstream,
            years=years,
            history=history,
            can_edit_plan=can_edit_plan,
            # A closed workstream's budget gets no new lines (services.budget.add_budget_line).
            can_add=can_edit_plan and not workstream.is_closed,
            can_update=may(request.user, Action.UPDATE_BUDGET, workstream),
        ),
    )


def _details(data) -> BudgetLineDetails:
    return BudgetLineDetails(
        financial_year=data["financial_year"],
        description=data["description"],
        funding_source=data["funding_source"],
        allocated=data["allocated"],
        spent=data["spent"],
        forecast=data["forecast"],
        variance_explanation=data["variance_explanation"],
    )


def _form_page(request, form, workstream: Workstream, line: BudgetLine | None):
    return render(
        request,
        "workstreams/budget_line_form.html",
        _context(workstream, form=form, line=line, whole_line=isinstance(form, BudgetLineForm)),
        status=400 if form.errors else 200,
    )


@login_required
def budget_line_add(request, workstream_id: int):
    workstream = _workstream(request, workstream_id, Action.EDIT_PLAN)
    form = BudgetLineForm(posted(request), workstream=workstream)
    line = save_form(
        form,
        lambda data: add_budget_line(workstream, by=request.user, details=_details(data)),
        noun="budget line",
    )
    if line is not None:
        messages.success(request, f"Budget line {line} added")
        return redirect("workstream_budget", workstream.pk)
    return _form_page(request, form, workstream, None)


@login_required
def budget_line_edit(request, line_id: int):
    """The whole line for those who keep the plan (project manager, office); spent, forecast
    and the explanation for the workstream's lead."""
    line = _line(request, line_id, Action.UPDATE_BUDGET)
    workstream = line.workstream
    if may(request.user, Action.EDIT_PLAN, line):
        form = BudgetLineForm(posted(request), workstream=workstream, line=line)

        def save(data):
            return edit_budget_line(
                line, by=request.user, version=data["version"], details=_details(data)
            )
    else:
        form = BudgetFiguresForm(posted(request), line=line)

        def save(data):
            figures = BudgetFigures(
                spent=data["spent"],
                forecast=data["forecast"],
                variance_explanation=data["variance_explanation"],
            )
            return update_budget_figures(
                line, by=request.user, version=data["version"], figures=figures
            )

    if save_form(form, save, noun="budget line"):
        messages.success(request, f"Budget line {line} saved")
        return redirect("workstream_budget", workstream.pk)
    return _form_page(request, form, workstream, line)


@login_required
def budget_line_remove(request, line_id: int):
    line = _line(request, line_id, Action.EDIT_PLAN)
    workstream = line.workstream
    form = ChangeForm(posted(request), instance=line)

    def remove(data) -> BudgetLine:
        remove_budget_line(line, by=request.user, version=data["version"])
        return line

    if save_form(
        form,
        remove,
        noun="budget line",
        outcome="It has not been removed: check it, and remove it again if you still mean to.",
    ):
        messages.success(request, f"Budget line {line} removed")
        return redirect("workstream_budget", workstream.pk)
    return render(
        request,
        "workstreams/budget_line_remove.html",
        _context(workstream, form=form, line=line),
        status=409 if form.conflict else 400 if form.errors else 200,
    )
