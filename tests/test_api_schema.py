"""The OpenAPI schema generates cleanly and is served at /api/schema/; the docs page (Swagger
UI) comes from our own static files and works within the Content Security Policy."""

import re

from django.core.management import call_command
from django.urls import reverse

from tests.api import client_for


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    # --fail-on-warn turns every warning into an error; --validate checks it against the
    # OpenAPI 3 specification.
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/milestones/{id}/:" in schema
    assert "tokenAuth" in schema


def test_the_schema_is_served_to_signed_in_clients_only(people):
    assert reverse("api_schema") == "/api/schema/"
    response = client_for(people["board"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"patch", "get"} <= set(paths["/api/v1/milestones/{id}/"])
    assert "post" in paths["/api/v1/risks/{id}/close/"]
    assert client_for(None).get("/api/schema/").status_code == 401


def test_the_docs_page_serves_swagger_ui_from_our_static_files_under_the_csp(client, people):
    client.force_login(people["board"])
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<style nonce="{nonce}">' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts


def test_the_docs_start_up_script_is_a_file_of_its_own(client, people):
    client.force_login(people["board"])
    response = client.get(reverse("api_docs"), {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
    assert "/api/schema/" in response.content.decode()


def test_signed_out_visitors_to_the_docs_are_sent_to_sign_in(client, db):
    response = client.get(reverse("api_docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
