"""A programme's money (issue 16): the finance page, by financial year, by workstream and by
budget line, with the charts; the programme office's page for the whole-life cost; and the
government return (the major projects data) as CSV or Excel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes import finance_charts
from programmes.dates import FinancialYear
from programmes.exports import FORMATS, export_filename, export_response
from programmes.forms import posted, save_form
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.money import WholeLifeCostDetails, update_whole_life_cost
from programmes.permissions import Action, may
from reporting.finance import Finance, load_finance
from reporting.finance_forms import WholeLifeCostForm
from reporting.returns import RETURN_COLUMNS, government_return, return_years
from reporting.state import load_programme_data


def _charts(finance: Finance) -> dict:
    """The pictures, as image sources, with what each shows in words."""
    rating = finance.rating
    charts = {}
    if rating.years:
        charts["by_year"] = finance_charts.as_data_uri(
            finance_charts.money_by_year(
                [str(year.financial_year) for year in rating.years],
                [year.money.allocated for year in rating.years],
                [year.money.spent for year in rating.years],
                [year.money.forecast for year in rating.years],
            )
        )
    with_money = [item for item in rating.workstreams if item.lines]
    if with_money:
        charts["by_workstream"] = finance_charts.as_data_uri(
            finance_charts.money_by_workstream(
                [item.workstream.reference for item in with_money],
                [item.money.allocated for item in with_money],
                [item.money.forecast for item in with_money],
            )
        )
    whole = finance.whole_life_cost
    if whole.is_set:
        charts["whole_life_cost"] = finance_charts.as_data_uri(
            finance_charts.whole_life_cost(whole.baseline, whole.forecast)
        )
    return charts


@login_required
@require_safe
def programme_finance(request, programme_id: int):
    """Everyone in the programme sees its money; those who may change a line's figures find
    a link to do it beside the line."""
    programme = programme_for(request, programme_id)
    finance = load_finance(programme, user=request.user)
    today = timezone.localdate()
    years = return_years(finance.rating, today)
    return render(
        request,
        "reporting/finance.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "finance": finance,
            "rating": finance.rating,
            "whole_life_cost": finance.whole_life_cost,
            "charts": _charts(finance),
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
            "return_years": years,
            "this_year": FinancialYear.containing(today),
        },
    )


@login_required
def programme_whole_life_cost(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = WholeLifeCostForm(posted(request), programme=programme)

    def save(data) -> Programme:
        return update_whole_life_cost(
            programme,
            by=request.user,
            version=data["version"],
            details=WholeLifeCostDetails(
                baseline=data["whole_life_cost_baseline"],
                forecast=data["whole_life_cost_forecast"],
                narrative=data["whole_life_cost_narrative"],
                schedule_narrative=data["schedule_narrative"],
            ),
        )

    if request.method == "POST" and save_form(form, save, noun="programme"):
        messages.success(request, "Whole-life cost saved")
        return redirect("programme_finance", programme.pk)
    return render(
        request,
        "reporting/whole_life_cost_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "history": describe_history(
                [
                    HistorySource(
                        Programme.history.filter(id=programme.pk),
                        lambda record: "",
                        lambda record: "Programme created",
                    )
                ]
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def programme_government_return(request, programme_id: int):
    """The return as CSV (the default) or Excel, for a financial year of the programme's
    budget (`?year=2026`; this year's by default)."""
    programme = programme_for(request, programme_id)
    file_format = request.GET.get("format") or "csv"
    if file_format not in FORMATS:
        return HttpResponseBadRequest("Choose the format csv or xlsx")
    data = load_programme_data(programme)
    year_text = request.GET.get("year") or ""
    if year_text:
        try:
            year = FinancialYear(int(year_text))
        except ValueError:
            return HttpResponseBadRequest("The year must be the year a financial year starts in")
    else:
        year = FinancialYear.containing(data.as_of)
    row = government_return(data, year)
    return export_response(
        file_format,
        columns=RETURN_COLUMNS,
        rows=[row],
        filename=export_filename(
            f"government-return-{year.start_year}", programme.reference, data.as_of, file_format
        ),
        title="Major projects data",
    )
