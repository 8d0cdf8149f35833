"""Single sign-on with OpenID Connect (issue 12; docs/sign-in.md).

A council's identity provider (Microsoft Entra ID, or any OpenID Connect provider) signs
its staff in. Authlib does the protocol: discovery from the issuer, the authorization code
flow with PKCE, state and nonce, and the ID token checked against the provider's keys. What
is ours is who the identity is: the Person of the provider's organisation with that email
address, once the provider vouches for the address. Signing in gives no access by itself:
access comes only from the person's roles (DOMAIN.md section 2).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from requests import RequestException

from programmes.accounts import SIGNED_IN_WITH
from programmes.accounts.backends import MODEL_BACKEND
from programmes.models import Organisation, Person

logger = logging.getLogger(__name__)

NEXT = "oidc_next"
SCOPE = "openid email profile"


@dataclass(frozen=True)
class Provider:
    """One identity provider as configured (settings.OIDC_PROVIDERS)."""

    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    organisation: str | None = None  # the slug of the organisation whose people it signs in
    trust_email: bool = False

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Offer:
    """A provider offered on the sign-in page, named as its people know it."""

    provider: Provider
    label: str
    organisation: Organisation | None


class CannotSignIn(Exception):
    """An identity we may not sign in; the message is shown on the page."""

    def __init__(self, message: str, email: str = ""):
        super().__init__(message)
        self.email = email


def configured_providers() -> list[Provider]:
    """Read when asked, so that a change of settings (in tests) takes effect at once."""
    return [Provider(**entry) for entry in settings.OIDC_PROVIDERS]


def offered_providers() -> list[Offer]:
    """The providers offered now: those of no organisation, and those whose organisation
    exists and has not turned single sign-on off (Organisation.single_sign_on)."""
    providers = configured_providers()
    slugs = {provider.organisation for provider in providers if provider.organisation}
    organisations = {
        organisation.slug: organisation
        for organisation in Organisation.objects.filter(slug__in=slugs, single_sign_on=True)
    }
    offers = []
    for provider in providers:
        if provider.organisation is None:
            offers.append(Offer(provider, provider.name, None))
        elif provider.organisation in organisations:
            organisation = organisations[provider.organisation]
            offers.append(Offer(provider, organisation.name, organisation))
    return offers


def offer_or_404(provider_id: str) -> Offer:
    for offer in offered_providers():
        if offer.provider.id == provider_id:
            return offer
    raise Http404("No such way to sign in")


_clients: dict[Provider, object] = {}


def client_for(provider: Provider):
    """Authlib's client for the provider, made on first use and kept, so that discovery and
    the provider's keys are fetched once (Authlib fetches the keys again for a new key id)."""
    client = _clients.get(provider)
    if client is None:
        oauth = OAuth()
        client = oauth.register(
            name=provider.id,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
        )
        _clients[provider] = client
    return client


def verified_email(claims: dict, provider: Provider) -> str | None:
    """The email address the provider vouches for, in lower case, or None.

    It counts when the provider says `email_verified` is true, or when the provider is
    trusted for its addresses (trust_email) and says nothing either way: Microsoft Entra ID
    sends no `email_verified`, and a council's own single tenant only holds addresses its
    administrators gave. A provider that says the address is not verified is believed."""
    email = (claims.get("email") or "").strip().lower()
    if not email:
        return None
    verified = claims.get("email_verified")
    if verified is True or (isinstance(verified, str) and verified.lower() == "true"):
        return email
    if verified is None and provider.trust_email:
        return email
    return None


@transaction.atomic
def user_for(email: str, provider: Provider):
    """The user the email signs in as: the Person with that address (any case) in the
    provider's organisation, or in any organisation that allows single sign-on if the
    provider names none. Their user if they have one (it must be active); otherwise a user is
    made for them (user name: the address; no password) and linked."""
    people = Person.objects.select_for_update(of=("self",)).filter(
        email__iexact=email, is_team=False, organisation__single_sign_on=True
    )
    if provider.organisation is not None:
        people = people.filter(organisation__slug=provider.organisation)
    found = list(people.select_related("user")[:2])
    if not found:
        raise CannotSignIn("not known", email)
    if len(found) > 1:
        raise CannotSignIn("more than one person", email)
    person = found[0]
    user = person.user
    if user is not None:
        if not user.is_active:
            raise CannotSignIn("switched off", email)
        return user
    users = get_user_model()._default_manager
    if users.filter(username__iexact=email).exists():
        raise CannotSignIn("user name taken", email)
    user = users.model(username=email, email=email, is_active=True)
    user.set_unusable_password()
    user.save()
    person.user = user
    person._history_user = user
    person.save(update_fields=["user"])
    return user


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _problem(request, status: int, *, reason: str = ""):
    return render(request, "accounts/oidc_problem.html", {"reason": reason}, status=status)


@require_GET
def sign_in_with(request, provider: str):
    """Send the person to their identity provider, keeping where they were going."""
    offer = offer_or_404(provider)
    request.session[NEXT] = _safe_next(request, request.GET.get("next"))
    callback = request.build_absolute_uri(reverse("oidc_callback", args=[offer.provider.id]))
    try:
        return client_for(offer.provider).authorize_redirect(request, callback)
    except (AuthlibBaseError, RequestException, ValueError) as error:
        logger.warning("Single sign-on with %s could not start: %s", offer.provider.id, error)
        return _problem(request, 502, reason="unreachable")


@require_GET
def sign_in_callback(request, provider: str):
    """The provider sends the person back: check what it says, match the person, sign in."""
    offer = offer_or_404(provider)
    client = client_for(offer.provider)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="No ID token")
        if "email" not in claims and client.load_server_metadata().get("userinfo_endpoint"):
            more = client.userinfo(token=token)
            if more.get("sub") == claims.get("sub"):
                claims = {**more, **claims}
    except AuthlibBaseError as error:
        # The person cancelled, the state was not ours, or the token did not check out.
        logger.info("Single sign-on with %s refused: %s", offer.provider.id, error)
        reason = "cancelled" if error.error == "access_denied" else "failed"
        return _problem(request, 400, reason=reason)
    except (RequestException, ValueError) as error:
        logger.warning("Single sign-on with %s failed: %s", offer.provider.id, error)
        return _problem(request, 502, reason="unreachable")
    email = verified_email(claims, offer.provider)
    try:
        if email is None:
            raise CannotSignIn("not verified", (claims.get("email") or "").strip())
        user = user_for(email, offer.provider)
    except CannotSignIn as refusal:
        return render(
            request,
            "accounts/oidc_refused.html",
            {"email": refusal.email, "reason": str(refusal), "offer": offer},
            status=403,
        )
    next_url = request.session.pop(NEXT, None)
    # Said before signing in, so that the session's record (programmes.accounts.sessions)
    # names the provider; and again after, as signing in over another user's session empties it.
    request.session[SIGNED_IN_WITH] = offer.provider.id
    login(request, user, backend=MODEL_BACKEND)
    request.session[SIGNED_IN_WITH] = offer.provider.id
    return HttpResponseRedirect(
        _safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL)
    )
