"""Start the test identity provider: make its tables and one confidential application for
the product (authorization code, no consent screen, RS256 ID tokens), then serve."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", default=[])

    def handle(self, *args, port, client_id, client_secret, redirect_uri, **options):
        call_command("migrate", verbosity=0)
        Application = get_application_model()
        Application.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": "Programme tracker",
                "client_secret": client_secret,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(redirect_uri),
                "skip_authorization": True,
                "algorithm": Application.RS256_ALGORITHM,
            },
        )
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)
