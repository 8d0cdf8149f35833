"""Calendar feeds: the page of a user's calendar links, making and resetting a link, and the
feed itself, which calendar apps fetch without signing in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from programmes.models import Programme
from programmes.params import read_id
from programmes.permissions import Action, get_for
from reporting.calendars import (
    FeedLinks,
    calendar_links,
    create_calendar_feed,
    feed_filename,
    load_personal_feed,
    load_personal_meetings,
    load_programme_feed,
    personal_calendar,
    programme_calendar,
    reset_calendar_feed,
    working_feed,
)


@login_required
@require_safe
def calendar_feed_list(request):
    """The user's calendar links: their own milestones, and each programme they see."""
    links = calendar_links(request.user)
    for feed in links.feeds:
        feed.url = request.build_absolute_uri(feed.get_absolute_url())
    return render(request, "reporting/calendar_feeds.html", {"links": links})


def _chosen_programme(request) -> Programme | None:
    """The programme named in the form, or None for the user's own milestones. 404 if the
    user has no role in it, so that its existence is not revealed."""
    value = request.POST.get("programme", "")
    if not value:
        return None
    return get_for(request.user, Action.VIEW, Programme, pk=read_id(value))


def _back_to_list(programme: Programme | None):
    anchor = f"programme-{programme.pk}" if programme else "my-milestones"
    return redirect(f"{reverse('calendar_feed_list')}#{anchor}")


def _calendar_name(programme: Programme | None) -> str:
    return programme.name if programme else "your milestones"


@login_required
@require_POST
def calendar_feed_create(request):
    programme = _chosen_programme(request)
    create_calendar_feed(programme, by=request.user)
    messages.success(
        request,
        f"Your link for {_calendar_name(programme)} is ready. Copy it into your calendar app.",
    )
    return _back_to_list(programme)


@login_required
@require_POST
def calendar_feed_reset(request):
    programme = _chosen_programme(request)
    reset_calendar_feed(programme, by=request.user)
    messages.success(
        request,
        f"The link for {_calendar_name(programme)} has been reset. The old link no longer "
        "works: add the calendar again with the new link.",
    )
    return _back_to_list(programme)


@require_safe
def calendar_feed_ics(request, token: str):
    """The feed at its secret link. No session: the token is the key. It shows what the
    link's user may see now, so a link of someone who left the programme stops working."""
    feed = working_feed(token)
    if feed is None:
        raise Http404("Not found")
    links = FeedLinks(
        absolute=request.build_absolute_uri,
        domain=split_domain_port(request.get_host())[0] or "localhost",
    )
    stamp = timezone.now()
    if feed.is_personal:
        calendar = personal_calendar(
            load_personal_feed(feed.user),
            links,
            stamp=stamp,
            attendance=load_personal_meetings(feed.user),
        )
    else:
        calendar = programme_calendar(load_programme_feed(feed.programme), links, stamp=stamp)
    return HttpResponse(
        calendar.to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private",
            "Content-Disposition": content_disposition_header(False, feed_filename(feed)),
            "X-Robots-Tag": "noindex, nofollow",
        },
    )
