"""Pages for programmes: the list a user may see and one programme with its RAG grid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from programmes.forms import ProgrammeSettingsForm
from programmes.history import conflict_message
from programmes.models import Programme, ReportingPeriod, StaleEdit
from programmes.my_work import my_work
from programmes.permissions import Action, access_for, may, require
from programmes.services import SETTINGS, change_programme_settings
from reporting.dashboard import build_dashboard
from reporting.state import closed_periods, load_programme_data
from workstreams.views.milestones import _add_errors, with_version


@login_required
def home(request):
    """My work: what needs the signed-in person, each item linking to where it is done."""
    today = timezone.localdate()
    return render(request, "programmes/my_work.html", {"work": my_work(request.user, today)})


@login_required
def programme_list(request):
    programmes = (
        Programme.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(workstream_count=Count("workstreams", distinct=True))
        .order_by("organisation__name", "sort_key")
    )
    access = access_for(request.user)
    rows = [
        {
            "programme": programme,
            "roles": sorted(role.label for role in access.roles_in(programme.pk)),
        }
        for programme in programmes
    ]
    return render(request, "programmes/programme_list.html", {"rows": rows})


@login_required
def programme_detail(request, programme_id: int):
    """The programme dashboard, now or as at the end of a chosen reporting period."""
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    require(request.user, Action.VIEW, programme)
    period = None
    if request.GET.get("period"):
        period = ReportingPeriod.objects.filter(
            programme=programme, pk=request.GET["period"]
        ).first()
    data = load_programme_data(programme, period=period)
    dashboard = build_dashboard(data)
    heat = (
        dashboard.heat_inherent if request.GET.get("heat") == "inherent" else dashboard.heat_current
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "dashboard": dashboard,
            "heat": heat,
            "as_at": data.snapshot.is_historical,
            "past_periods": closed_periods(data),
            "header_organisation": programme.organisation,
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
        },
    )


@login_required
def programme_settings(request, programme_id: int):
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    require(request.user, Action.MANAGE_PROGRAMME, programme)
    initial = {name: getattr(programme, name) for name in SETTINGS} | {"version": programme.version}
    form = ProgrammeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or programme.version
        try:
            change_programme_settings(
                programme, by=request.user, version=version, settings=form.cleaned_data
            )
        except StaleEdit as stale:
            form = with_version(ProgrammeSettingsForm, request, stale.stored_version)
            form.add_error(None, conflict_message(Programme, programme.pk, version, "programme"))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Programme settings saved")
            return redirect("programme_detail", programme.pk)
    return render(
        request,
        "programmes/programme_settings.html",
        {"form": form, "programme": programme, "header_organisation": programme.organisation},
        status=400 if form.errors else 200,
    )
