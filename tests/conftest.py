"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(as in CI); Celery runs eagerly unless REDIS_URL is set."""

import fcntl
import pickle
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from plans.demo import load_demo
from programmes.choices import Role
from programmes.models import Programme
from tests.clock import TODAY, frozen_clock
from tests.factories import (
    AreaFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.made_once import (
    WORLD,
    WORLDS,
    fixture_models,
    made_once,
    number_after_rows_put_back,
    put_files_back,
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

    # The tests' database is made from the models (`--no-migrations`), and a test on a real
    # transaction (the browser tests, the Celery worker's) ends by emptying every table. After
    # both Django sends `post_migrate`: the default outcome categories, which a migration
    # writes, are written here, so that every test finds the database as migrated, whatever
    # order the tests run in (tests/test_migrations.py applies the migrations themselves).
    from django.db.models.signals import post_migrate

    post_migrate.connect(_outcome_categories_as_migrated, dispatch_uid="tests:outcome-categories")


def _outcome_categories_as_migrated(sender, **kwargs):
    # The migration's own step, run again: it adds the categories that are missing.
    if sender.label == "programmes":
        import_module("programmes.migrations.0003_default_outcome_categories").add_defaults(
            apps, None
        )


# The longest files, longest first (seconds on SQLite, `pytest --durations=0`, 29 November
# 2026): `make test` shares files between two processes in the order they are collected, so
# these start first and the short files even out the end. Left to pytest-xdist's own order
# (most tests first), the phone crawl, three tests and 75 s, started late and ran alone.
LONGEST_FIRST = (
    "tests/browser/test_phone_crawl.py",  # 75 s
    "tests/test_permission_matrix.py",  # 72 s (97 s before its world was made once)
    "tests/test_edit_forms_round_trip.py",  # 49 s
    "tests/test_query_fuzz.py",  # 32 s
    "tests/browser/test_office_sets_up_a_programme.py",  # 24 s
    "tests/test_demo_crawl.py",  # 19 s
    "tests/test_migrations.py",  # 18 s (every migration, once)
    "tests/browser/test_secretary_runs_a_board_meeting.py",  # 15 s
    "tests/test_highlight_report.py",  # 14 s
)


def pytest_collection_modifyitems(config, items):
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    """Every test runs at `tests.clock.NOW` (still ticking), whatever the real date.

    Tests marked `services` keep the real clock: they start Celery workers in processes of
    their own, which the freeze cannot reach, and both sides must agree on the time."""
    if request.node.get_closest_marker("services"):
        yield
        return
    with frozen_clock() as clock:
        request.node.stash[CLOCK] = clock
        yield


# The test's frozen clock (time_machine's coordinates), for fixtures that move it on.
CLOCK = pytest.StashKey["time_machine.Coordinates"]()
# The `people` fixture's users, where the `plan` fixture put them back with its own rows.
_PEOPLE = pytest.StashKey[dict]()


@pytest.fixture(autouse=True, scope="session")
def _media_of_its_own(tmp_path_factory):
    """Files the tests store (reports, uploaded workbooks) go to a folder of each test
    process's own, not into the checkout, where parallel processes would see each other's."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test(settings):
    """What pages keep in the cache (`programmes.caching`) is keyed by programme ids, which
    SQLite gives again after a test's transaction is rolled back: each test starts empty."""
    forget_everything_kept()


def forget_everything_kept():
    """Empty what this process keeps in the cache. Only this process's entries: on Redis,
    cache.clear() would empty it under the other test processes
    (tests/test_password_reset.py), so there each process keeps to keys of its own
    (tests/settings.py) and deletes just those."""
    from django.core.cache import cache

    from programmes.caching import forget_kept

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
    elif prefix := settings.CACHES["default"].get("KEY_PREFIX"):  # Redis: this process's keys
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    forget_kept()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests render templates without a collected manifest of static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def plan(request, db):
    """A programme with two areas, each with two workstreams; with the `people` fixture's
    users, and the module's `world` (tests/made_once.py: `world_made_once`), when the test
    asks for them. Their rows are made once per test process and put back for each test
    (tests/made_once.py), on an empty database at the frozen moment."""
    builds, parts = [lambda made: make_plan()], ["plan"]
    wants_people = "people" in request.fixturenames
    if wants_people:
        builds.append(lambda made: make_people(made[0]))
        parts.append("people")
    build_world = WORLDS.get(request.module.__name__) if "world" in request.fixturenames else None
    if build_world is not None:
        builds.append(lambda made: build_world(made[0], made[1] if wants_people else None))
        parts.append(f"{request.module.__name__}.world")
    made = None
    if not request.node.get_closest_marker("services"):
        made = made_once(" + ".join(parts), builds, clock=request.node.stash[CLOCK])
    if made is None:
        return make_plan()
    if wants_people:
        request.node.stash[_PEOPLE] = made[1]
    if build_world is not None:
        request.node.stash[WORLD] = made[-1]
    return made[0]


def make_plan() -> dict:
    """The `plan` fixture's programme, for fixtures wider than a test."""
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
def people(request, plan):
    """One signed-in user per role in the plan, plus an outsider and an administrator (put
    back with the plan's rows where they were, tests/made_once.py)."""
    if _PEOPLE in request.node.stash:
        return request.node.stash[_PEOPLE]
    return make_people(plan)


def make_people(plan) -> dict:
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


# The demo: loading it takes most of a minute, so it is loaded once per run, its rows kept,
# and put back for each module that reads it.

# The tables it fills are those a fixture fills (tests/made_once.py: not the content types and
# permissions, made by the migrations and cached by Django, nor the tests' sessions).
_MEDIA = "media files"


def _load_demo_rows(django_db_blocker) -> dict:
    """Every row of every table after `load_demo` on the migrated database, as at
    `tests.clock.TODAY`, by model label; the database is then rolled back."""
    with django_db_blocker.unblock(), frozen_clock(), transaction.atomic():
        load_demo(today=TODAY, log=lambda *args: None, reports=None)  # rendering: its own tests
        rows = {}
        for model in fixture_models():
            fields = [field.attname for field in model._meta.concrete_fields]
            rows[model._meta.label] = (fields, list(model._base_manager.values_list(*fields)))
        transaction.set_rollback(True)
    # And the files the demo stored (the meetings' papers), which the other test processes,
    # each with a media folder of its own, put back beside the rows.
    media = Path(settings.MEDIA_ROOT)
    rows[_MEDIA] = {
        str(path.relative_to(media)): path.read_bytes()
        for path in media.rglob("*")
        if path.is_file()
    }
    return rows


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker, tmp_path_factory, worker_id):
    """The demo's rows, made once per run: under pytest-xdist the first process to need them
    loads the demo and leaves them in a file in the run's folder for the others."""
    if worker_id == "master":
        return _load_demo_rows(django_db_blocker)
    run_folder = tmp_path_factory.getbasetemp().parent
    with open(run_folder / "demo_rows.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = run_folder / "demo_rows.pickle"
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        rows = _load_demo_rows(django_db_blocker)
        saved.write_bytes(pickle.dumps(rows))
        return rows


def put_demo_back(demo_rows) -> dict:
    """Put the demo's rows in place of whatever the tables hold, with the ids they were loaded
    with, and its files in this process's media folder; return the demo programmes by
    reference. One transaction: `_demo_in_database` rolls it back after its module, a test on
    a real transaction (tests/browser/test_phone_crawl.py) commits it and its flush empties
    the tables after it."""
    models = [apps.get_model(label) for label in demo_rows if label != _MEDIA]
    put_files_back(demo_rows[_MEDIA])
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for model in models:
            fields, values = demo_rows[model._meta.label]
            model._base_manager.bulk_create(
                [model(**dict(zip(fields, row, strict=True))) for row in values],
                batch_size=500,
            )
        number_after_rows_put_back(models)
    return {programme.reference: programme for programme in Programme.objects.all()}


@pytest.fixture(scope="module")
def _demo_in_database(demo_rows, django_db_blocker):
    """The demo put back for one module, inside a transaction rolled back after its last
    test: the tables hold exactly what `load_demo` left."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield put_demo_back(demo_rows)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_in_database, db):
    """The five demo programmes by reference, loaded as at `tests.clock.TODAY`, for tests that
    read them: what a test writes is rolled back after it, as usual."""
    return _demo_in_database
