"""A signed-in workstream lead meets a server error, in a process of its own whose settings
load from the environment it is given, as in production: tests/test_debug_is_off_by_default.py
sets Django up in that process, calls `main` and reads what it prints, the status and the page.

Also the URL configuration of that process: the site's pages plus one that fails.
"""

import json
import os

from django.urls import include, path


def fail(request):
    raise RuntimeError("the detail of a failure that no user may see")


urlpatterns = [path("fails/", fail), path("", include("transformation.urls"))]


def main() -> None:
    from django.apps import apps
    from django.core.management import call_command
    from django.test import Client, override_settings

    from programmes.choices import Role
    from tests.factories import ProgrammeFactory, UserFactory, WorkstreamFactory, grant

    # The tables straight from the models: much quicker than running every migration.
    with override_settings(MIGRATION_MODULES={app.label: None for app in apps.get_app_configs()}):
        call_command("migrate", run_syncdb=True, verbosity=0)
    lead = UserFactory(username="lead")
    grant(lead, Role.WORKSTREAM_LEAD, workstream=WorkstreamFactory(programme=ProgrammeFactory()))
    client = Client(raise_request_exception=False, HTTP_HOST=os.environ["ALLOWED_HOSTS"])
    client.force_login(lead)
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/fails/", secure=True)
    print(json.dumps({"status": response.status_code, "page": response.content.decode()}))
