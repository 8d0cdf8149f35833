"""Sessions (issue 12, "Sessions").

A session ends after a working day without use (SESSION_COOKIE_AGE): `SessionRenewal`
renews it when it is used, at most every few minutes, so that a page is not a write. Each
sign-in is recorded as a `UserSession`, so that "sign out everywhere" and switching a user off
(is_active saved False, in the site administration or anywhere else) end the user's sessions
through the session engine, whichever it is. Sessions signed in before these records began are
not known to them; they end on their own after a working day without use.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in, user_logged_out
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from programmes.accounts import PASSWORD, SIGNED_IN_WITH
from programmes.models import UserSession

# When the session was last renewed (seconds since the epoch), and where it was signed in from.
RENEWED_AT = "renewed_at"
SIGNED_IN_FROM = "signed_in_from"
RENEW_AFTER_SECONDS = 5 * 60


def session_store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


class SessionRenewal:
    """Renew a signed-in session when it was last renewed more than a few minutes ago, so that
    it lasts a working day from its last use rather than from its sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None and session.get(SESSION_KEY) is not None:
            renewed_at = session.get(RENEWED_AT)
            now = time.time()
            if not isinstance(renewed_at, int | float) or now - renewed_at >= RENEW_AFTER_SECONDS:
                session[RENEWED_AT] = now  # a changed session is saved with a new expiry
        return self.get_response(request)


# ----- Recording sign-ins -----


def browser_and_system(user_agent: str) -> str:
    """A short, readable name for the browser a session was signed in from, such as
    "Firefox on Windows"; "Unknown browser" when it cannot be told."""
    browsers = [
        ("Edge", r"Edg/"),
        ("Opera", r"OPR/"),
        ("Samsung Internet", r"SamsungBrowser/"),
        ("Chrome", r"Chrome/|CriOS/"),
        ("Firefox", r"Firefox/|FxiOS/"),
        ("Safari", r"Safari/"),
    ]
    systems = [
        ("iPhone", r"iPhone"),
        ("iPad", r"iPad"),
        ("Android", r"Android"),
        ("Windows", r"Windows"),
        ("ChromeOS", r"CrOS"),
        ("macOS", r"Mac OS X|Macintosh"),
        ("Linux", r"Linux"),
    ]
    browser = next((name for name, pattern in browsers if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in systems if re.search(pattern, user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


@receiver(user_logged_in, dispatch_uid="record_user_session")
def record_sign_in(sender, request, user, **kwargs):
    """Record the session a sign-in made (its key is the one after login's rotation)."""
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    session[RENEWED_AT] = time.time()
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    browser = browser_and_system(request.META.get("HTTP_USER_AGENT", ""))
    session[SIGNED_IN_FROM] = f"{browser}, {address}" if address else browser
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "signed_in_with": session.get(SIGNED_IN_WITH, PASSWORD)},
    )


@receiver(user_logged_out, dispatch_uid="forget_user_session")
def forget_sign_in(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def renew_key(request) -> None:
    """Give the session a new key, its record following it: after the second factor, so that
    a session key learnt before the code was entered opens nothing (Django renews it at the
    password; this is the second step up)."""
    session = request.session
    old_key = session.session_key
    session.cycle_key()
    if old_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=session.session_key)


# ----- Ending sessions -----


@transaction.atomic
def end_sessions(user) -> int:
    """End every recorded session of the user, through the session engine; how many."""
    keys = list(
        UserSession.objects.select_for_update()
        .filter(user=user)
        .values_list("session_key", flat=True)
    )
    for key in keys:
        session_store(key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="note_user_switched_off")
def note_switching_off(sender, instance, raw=False, update_fields=None, **kwargs):
    """Whether this save switches the user off (is_active from True to False)."""
    instance._switching_off = bool(
        not raw
        and instance.pk is not None
        and not instance.is_active
        and (update_fields is None or "is_active" in update_fields)
        and sender._default_manager.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="end_sessions_switched_off")
def end_sessions_of_switched_off_user(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_switching_off", False):
        instance._switching_off = False
        end_sessions(instance)


# ----- The page -----


@dataclass(frozen=True)
class SessionRow:
    signed_in_at: datetime
    signed_in_with: str
    signed_in_from: str
    is_this_one: bool


def _sessions_data(keys: list[str]) -> dict[str, dict]:
    """What each of these sessions holds, by key (none for a session that has ended): in one
    query with the database's session engines (Django's default, and the cached one, whose
    database is always written), else one session at a time through the engine."""
    store = session_store()
    if isinstance(store, DatabaseSessionStore):
        rows = store.get_model_class().objects.filter(
            session_key__in=keys, expire_date__gt=timezone.now()
        )
        return {row.session_key: store.decode(row.session_data) for row in rows}
    return {key: session_store(key).load() for key in keys}


def _live_sessions(request) -> list[SessionRow]:
    """The user's recorded sessions that are still signed in, newest first; the records of
    sessions that ended on their own are let go."""
    rows, ended = [], []
    records = list(UserSession.objects.filter(user=request.user))
    held = _sessions_data([record.session_key for record in records])
    for record in records:
        data = held.get(record.session_key, {})
        if str(data.get(SESSION_KEY)) != str(request.user.pk):
            ended.append(record.pk)
            continue
        how = record.signed_in_with
        rows.append(
            SessionRow(
                signed_in_at=record.signed_in_at,
                signed_in_with="Password" if how == PASSWORD else f"Single sign-on ({how})",
                signed_in_from=data.get(SIGNED_IN_FROM, "Not recorded"),
                is_this_one=record.session_key == request.session.session_key,
            )
        )
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    return rows


@login_required
@never_cache
def user_sessions(request):
    """Your sessions: where and when each signed in, and "Sign out everywhere" (POST), which
    ends them all, this one too."""
    if request.method == "POST":
        end_sessions(request.user)
        logout(request)
        messages.success(request, "You are signed out everywhere. Sign in again to continue.")
        return redirect("login")
    return render(request, "accounts/sessions.html", {"sessions": _live_sessions(request)})
