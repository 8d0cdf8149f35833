"""Two-factor authentication with time-based one-time codes (issue 12, part 5).

Who must use it: the programme office of any programme, a portfolio office and the site
administrator, when they signed in with a password (our sign-in page or a set-password link).
Anyone else may turn it on, and is then asked for the code at each sign-in with a password.
Those who signed in with single sign-on are never asked: their organisation's identity
provider enforces its own second factor. `TWO_FACTOR_REQUIRED` (on unless set otherwise)
switches the whole check; the tests of other behaviour turn it off.

The codes, devices and throttling of wrong codes are django-otp's (`TOTPDevice`); a lost
phone is handled by the site administrator, who removes the device in the site administration.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from programmes.accounts import PASSWORD, SIGNED_IN_WITH
from programmes.accounts.sessions import renew_key
from programmes.choices import Role
from programmes.permissions import access_for

ENTER_THE_CODE = "Enter the 6-digit code from your authenticator app"
WRONG_CODE = "The code is not right: check the time on your phone and try again"
# The routes a signed-in user may reach before entering their code.
SET_UP, ENTER_CODE, SIGN_OUT = "two_factor", "two_factor_code", "logout"


# ----- The rules -----


def must_use_two_factor(user) -> bool:
    """The programme office of any programme, a portfolio office and the site administrator
    must use two-factor authentication (issue 12: their accounts reach whole programmes)."""
    access = access_for(user)
    if access.is_administrator or access.portfolio_organisations:
        return True
    return any(
        grant.role == Role.PROGRAMME_OFFICE for grants in access.grants.values() for grant in grants
    )


def is_required_for(user) -> bool:
    """Must this user use two-factor authentication, the requirement being on?"""
    return settings.TWO_FACTOR_REQUIRED and must_use_two_factor(user)


def signed_in_with_single_sign_on(request) -> bool:
    """Was this session signed in through an identity provider? A session with no record of
    how it was signed in counts as signed in with a password (programmes.accounts)."""
    return request.session.get(SIGNED_IN_WITH, PASSWORD) != PASSWORD


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _safe_next(request, candidate: str | None) -> str:
    """Where to go once the code is entered: the page asked for, if it is one of ours."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse("home")


def _with_next(route: str, next_url: str) -> str:
    return f"{reverse(route)}?{urlencode({'next': next_url})}"


# ----- The middleware -----


class TwoFactorMiddleware:
    """Sends a user signed in with a password, and not yet verified, to enter their code (if
    they have an authenticator) or to set one up (if they must use one), before any other
    page. Signing out stays open; the API answers a pending session with 403, and requests
    authenticated by an API token (no session) are not concerned. Comes after django-otp's
    OTPMiddleware, which marks the user verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if signed_in_with_single_sign_on(request):
            return None
        match = request.resolver_match
        if match.url_name == SIGN_OUT and not match.namespace:
            return None
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if not has_device and not must_use_two_factor(user):
            return None
        open_routes = {ENTER_CODE} if has_device else {SET_UP, ENTER_CODE}
        if match.url_name in open_routes and not match.namespace:
            return None
        if match.namespace == "api":
            return JsonResponse(
                {"detail": "Enter your two-factor authentication code in the browser first."},
                status=403,
            )
        return redirect(_with_next(ENTER_CODE if has_device else SET_UP, request.get_full_path()))


# ----- The pages -----


class CodeForm(forms.Form):
    """The 6-digit code from the authenticator app, checked against the device."""

    code = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        error_messages={"required": ENTER_THE_CODE},
    )

    def __init__(self, *args, device: TOTPDevice | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(ENTER_THE_CODE)
        return code

    def clean(self):
        code = self.cleaned_data.get("code")
        if code is None or self.device is None:
            return self.cleaned_data
        with transaction.atomic():
            # Locked, so that two requests cannot both use one code or outrun the throttle.
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, details = device.verify_is_allowed()
            if not allowed:
                seconds = (details["locked_until"] - timezone.now()).total_seconds()
                wait = max(1, int(seconds + 0.999))
                self.add_error(
                    "code",
                    f"You have entered too many wrong codes: wait {wait} "
                    f"second{'s' if wait != 1 else ''} and try again",
                )
            elif not device.verify_token(code):
                self.add_error("code", WRONG_CODE)
            else:
                self.device = device
        return self.cleaned_data


def _grouped_key(device: TOTPDevice) -> str:
    """The secret as typed into an app: base 32, in groups of four characters."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _qr_code_svg(device: TOTPDevice) -> str:
    """The device's set-up address as a QR code, inline SVG (no image request, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _device_to_set_up(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, made once: reloading the page keeps its key,
    so that a code from an app that scanned the first QR code still works."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@login_required
def two_factor(request):
    """Set up two-factor authentication, or see that it is on (and turn it off, for those
    who need not use it)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    required = is_required_for(request.user)
    device = confirmed_device(request.user)
    if device is not None:
        return render(
            request,
            "accounts/two_factor_on.html",
            {"required": required, "form": CodeForm(device=device)},
        )
    unconfirmed = _device_to_set_up(request.user)
    form = CodeForm(request.POST or None, device=unconfirmed)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.device.confirmed = True
            form.device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user).exclude(pk=form.device.pk).delete()
        otp_login(request, form.device)
        renew_key(request)
        messages.success(request, "Two-factor authentication is on")
        return redirect(next_url)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "required": required,
            "next": next_url,
            "qr_code": mark_safe(_qr_code_svg(unconfirmed)),  # made by qrcode, no user text
            "key": _grouped_key(unconfirmed),
            "single_sign_on": signed_in_with_single_sign_on(request),
        },
    )


@login_required
def two_factor_code(request):
    """Enter the code from the authenticator app, after signing in with a password."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    device = confirmed_device(request.user)
    if device is None:
        if is_required_for(request.user) and not signed_in_with_single_sign_on(request):
            return redirect(_with_next(SET_UP, next_url))
        return redirect(next_url)
    if request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        renew_key(request)
        return redirect(next_url)
    return render(request, "accounts/two_factor_code.html", {"form": form, "next": next_url})


@login_required
@require_POST
def two_factor_turn_off(request):
    """Turn two-factor authentication off, with a current code; refused to those who must
    use it."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect(SET_UP)
    required = is_required_for(request.user)
    form = CodeForm(request.POST, device=None if required else device)
    if required:
        form.is_valid()
        form.add_error(
            None,
            "You cannot turn off two-factor authentication: programme offices, portfolio "
            "offices and site administrators must use it",
        )
    elif form.is_valid():
        TOTPDevice.objects.filter(user=request.user).delete()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-factor authentication is off")
        return redirect(SET_UP)
    return render(
        request,
        "accounts/two_factor_on.html",
        {"required": required, "form": form},
    )
