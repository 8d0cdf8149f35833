"""Signing in, throttling of repeated failures, and the site administration."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_signs_in_and_lands_on_their_programmes(client, db):
    UserFactory(username="anne")
    response = sign_in(client, "anne", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_a_wrong_password_is_explained_with_the_error_summary(client, db):
    UserFactory(username="anne")
    response = sign_in(client, "anne", "wrong")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, db, settings):
    UserFactory(username="anne")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "anne", "wrong")
    response = sign_in(client, "anne", PASSWORD)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_site_administration_is_for_site_administrators_only(client, db):
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


@pytest.fixture
def administrator(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_every_model_has_a_searchable_filterable_admin_list(client, administrator, plan):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("programmes", "workstreams", "risks"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert model_admin.search_fields, model
        assert client.get(url, {"q": "1"}).status_code == 200, model


def test_the_admin_shows_an_objects_change_history(client, administrator, plan):
    workstream = plan["ws_1_1"]
    workstream.name = "Modernising Day Opportunities"
    workstream.save()
    url = reverse("admin:workstreams_workstream_history", args=[workstream.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Modernising Day Opportunities" in response.content
