"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(as in CI); Celery runs eagerly unless REDIS_URL is set."""

import pytest

from programmes.choices import Role
from tests.clock import frozen_clock
from tests.factories import (
    AreaFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords the production way costs half a second each; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # WhiteNoise indexes every collected static file each time a handler starts, and the test
    # client starts one per test (half a second each); looking a file up when asked costs
    # nothing for the few tests that ask.
    settings.WHITENOISE_AUTOREFRESH = True

    # Tasks run in-process in tests, even when REDIS_URL points at a real broker (as in CI);
    # the integration tests that need a real worker say so and start one.
    from transformation.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    """Every test runs at `tests.clock.NOW` (still ticking), whatever the real date.

    Tests marked `services` keep the real clock: they start Celery workers in processes of
    their own, which the freeze cannot reach, and both sides must agree on the time."""
    if request.node.get_closest_marker("services"):
        yield
        return
    with frozen_clock():
        yield


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests render templates without a collected manifest of static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def plan(db):
    """A programme with two areas, each with two workstreams."""
    programme = ProgrammeFactory(name="Adult & Housing Transformation Programme")
    area_one = AreaFactory(programme=programme, reference="1", name="Community Services")
    area_two = AreaFactory(programme=programme, reference="2", name="Accommodation")
    return {
        "programme": programme,
        "area_one": area_one,
        "area_two": area_two,
        "ws_1_1": WorkstreamFactory(area=area_one, reference="1.1", name="Day Opportunities"),
        "ws_1_2": WorkstreamFactory(area=area_one, reference="1.2", name="Involving users"),
        "ws_2_1": WorkstreamFactory(area=area_two, reference="2.1", name="Extra Care Housing"),
        "ws_2_2": WorkstreamFactory(area=area_two, reference="2.2", name="Older People"),
    }


@pytest.fixture
def people(plan):
    """One signed-in user per role in the plan, plus an outsider and an administrator."""
    users = {
        name: UserFactory(username=name)
        for name in (
            "board",
            "sponsor",
            "manager",
            "lead",
            "other_lead",
            "office",
            "outsider",
            "admin",
        )
    }
    users["admin"].is_superuser = True
    users["admin"].save()
    grant(users["board"], Role.BOARD_MEMBER, programme=plan["programme"])
    grant(users["sponsor"], Role.SPONSOR, area=plan["area_one"])
    grant(users["manager"], Role.PROJECT_MANAGER, area=plan["area_one"])
    grant(users["lead"], Role.WORKSTREAM_LEAD, workstream=plan["ws_1_1"])
    grant(users["other_lead"], Role.WORKSTREAM_LEAD, workstream=plan["ws_1_2"])
    grant(users["office"], Role.PROGRAMME_OFFICE, programme=plan["programme"])
    return users
