"""Pages for programmes: the list a user may see and one programme with its RAG grid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from programmes.forms import ProgrammeSettingsForm, posted, save_form
from programmes.lists import programme_for
from programmes.models import Programme
from programmes.permissions import Action, access_for
from programmes.services import change_programme_settings


@login_required
@require_safe
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
def programme_settings(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = ProgrammeSettingsForm(posted(request), programme=programme)
    if request.method == "POST" and save_form(
        form,
        lambda data: change_programme_settings(
            programme, by=request.user, version=data["version"], settings=data
        ),
        noun="programme",
    ):
        messages.success(request, "Programme settings saved")
        return redirect("programme_detail", programme.pk)
    return render(
        request,
        "programmes/programme_settings.html",
        {"form": form, "programme": programme, "header_organisation": programme.organisation},
        status=400 if form.errors else 200,
    )
