"""What the tests set up in the provider: its users and the redirect URIs of the product.
Each call must carry the key the fixture started the provider with."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model

from tests.oidc_provider.models import EmailAddress


def _allowed(request) -> bool:
    return secrets.compare_digest(request.headers.get("X-Setup-Key", ""), settings.SETUP_KEY)


@csrf_exempt
@require_POST
def setup_user(request):
    """Make or change a user: user name and email `email`, password, and `email_verified`
    ("true", "false", or "" for nothing said)."""
    if not _allowed(request):
        return HttpResponseForbidden()
    email = request.POST["email"]
    user, _ = get_user_model().objects.get_or_create(username=email)
    user.email = email
    user.set_password(request.POST["password"])
    user.save()
    verified = {"true": True, "false": False}.get(request.POST.get("email_verified", ""))
    EmailAddress.objects.update_or_create(user=user, defaults={"verified": verified})
    return HttpResponse("ok")


@csrf_exempt
@require_POST
def setup_redirect_uri(request):
    """Let the application send people back to one more address of the product."""
    if not _allowed(request):
        return HttpResponseForbidden()
    application = get_application_model().objects.get(client_id=request.POST["client_id"])
    uris = application.redirect_uris.split()
    if request.POST["uri"] not in uris:
        application.redirect_uris = " ".join([*uris, request.POST["uri"]])
        application.save()
    return HttpResponse("ok")
