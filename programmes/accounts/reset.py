"""Resetting a forgotten password (issue 12, "Password reset").

Someone gives an email address; the answer is always the same "Check your email" page, so
the form does not tell whether an account uses that address. An active user with a usable
password whose email (or their person's email) is that address, ignoring case, is sent a link
that works once, within an hour (`programmes.tokens.reset_tokens`). The link opens the page
invitations use to set a password (`programmes.views.set_password_page`), with its own words.
Setting the new password ends every other session of the user, lifts the lock on their user
name left by wrong passwords (the password guessed at is gone: guessing starts again against
the new one), and signs them in.

A few requests an hour for one address are answered; more are quietly dropped, so the form
cannot be used to flood someone's inbox.
"""

from __future__ import annotations

import hashlib

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from programmes.accounts.sessions import end_sessions
from programmes.forms import posted
from programmes.jobs import queue_after_commit
from programmes.services import set_password_from_link
from programmes.tokens import link_parts, reset_tokens
from programmes.views import PasswordLink, set_password_page

RESETS_PER_ADDRESS_PER_HOUR = 3
RESET_TASK = "programmes.send_reset_link"
_HOUR = 60 * 60


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address your invitation to sign in was sent to",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )


# ----- Services -----


def _requests_key(address: str) -> str:
    return "password-reset:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _within_limit(address: str) -> bool:
    """Count a request for this address; False once the hourly limit was reached. The times
    of the last hour's requests are kept in the cache (not a count that expires with the
    cache's own clock), so the hour is the site's clock whatever the cache."""
    key = _requests_key(address)
    now = timezone.now().timestamp()
    recent = [moment for moment in cache.get(key, []) if now - moment < _HOUR]
    if len(recent) >= RESETS_PER_ADDRESS_PER_HOUR:
        return False
    cache.set(key, [*recent, now], timeout=_HOUR)
    return True


def forget_requests(address: str) -> None:
    """Forget the requests counted for an address (for the tests, and for operators)."""
    cache.delete(_requests_key(address))


def users_to_reset(address: str):
    """The accounts a reset email for this address goes to: active, with a password of their
    own (someone invited who never set one accepts their invitation instead), whose email or
    whose person's email is the address, ignoring case."""
    users = get_user_model()._default_manager.filter(
        Q(email__iexact=address) | Q(person__email__iexact=address), is_active=True
    )
    return [user for user in users.distinct().order_by("pk") if user.has_usable_password()]


def request_password_reset(email: str) -> int:
    """Queue a reset email for each account that uses this address, once the request's
    transaction commits; how many is for the tests, never for the page."""
    address = email.strip().lower()
    if not _within_limit(address):
        return 0
    users = users_to_reset(address)
    for user in users:
        # Sent in the background: the page answers in the same time whether or not an
        # account uses the address (a send in the request would tell, by taking longer).
        queue_after_commit(RESET_TASK, user.pk, address)
    return len(users)


def send_reset_link(user_id: int, address: str) -> bool:
    """Email a user a reset link (a background job). The link is made here, from the account
    as it stands, so no token passes through the broker; nothing is sent if the account has
    since been switched off or no longer uses that address. True if sent."""
    user = (
        get_user_model()
        ._default_manager.filter(pk=user_id, is_active=True)
        .filter(Q(email__iexact=address) | Q(person__email__iexact=address))
        .select_related("person")
        .first()
    )
    if user is None or not user.has_usable_password():
        return False
    uidb64, token = link_parts(user, reset_tokens)
    link = settings.SITE_URL.rstrip("/") + reverse("password_reset_link", args=[uidb64, token])
    person = getattr(user, "person", None)
    name = person.name if person is not None else user.get_username()
    minutes = int(reset_tokens.timeout.total_seconds() // 60)
    body = (
        f"Hello {name},\n\n"
        f"Someone asked to reset the password you use to sign in to {settings.SITE_NAME}. "
        f"Your user name is {user.get_username()}.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link works once, for {minutes} minutes.\n\n"
        "If you did not ask for this, you can ignore this email: your password has not changed.\n"
    )
    send_mail("Reset your password", body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


@transaction.atomic
def reset_password(user, password: str) -> None:
    """Set the new password from a reset link: the user's other sessions end, and the lock
    that wrong passwords put on their user name is lifted."""
    set_password_from_link(user, password)
    end_sessions(user)
    AccessAttempt.objects.filter(username__iexact=user.get_username()).delete()


RESET_LINK = PasswordLink(
    tokens=reset_tokens,
    title="Choose a new password",
    lead=(
        "Choose a new password for your account. Setting it signs you out everywhere else "
        "and signs you in here."
    ),
    button="Set new password and sign in",
    done=reset_password,
    success="Your new password is set and you are signed in",
    expired=(
        "This link has expired or has already been used: "
        "ask for a new one from the sign-in page, under \u201cForgotten your password?\u201d."
    ),
)


# ----- Pages -----


@never_cache
def password_reset(request):
    """Ask for the email address to send a reset link to."""
    form = ResetRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        request_password_reset(form.cleaned_data["email"])
        return redirect("password_reset_sent")
    return render(
        request,
        "accounts/reset_request.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def password_reset_sent(request):
    """The same answer whether or not an account uses the address."""
    minutes = int(reset_tokens.timeout.total_seconds() // 60)
    return render(request, "accounts/reset_sent.html", {"minutes": minutes})


@sensitive_post_parameters("password", "confirmation")
@never_cache
def password_reset_link(request, uidb64: str, token: str):
    return set_password_page(request, uidb64, token, RESET_LINK)
