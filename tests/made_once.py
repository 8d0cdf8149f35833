"""Rows a fixture makes, made once per test process and put back for each test.

Most tests start from the same few rows: the `plan` fixture's programme and the `people`
signed in to it (tests/conftest.py), some 2,400 tests of 3,400, and some modules' `world` of
one of everything on top (`world_made_once`). Making them through the models (factories,
services, history) costs 30 to 70 ms a test; putting the same rows back, with the ids they
were made with, a few. So the first test of a process that asks for them, on an empty
database, makes them as before inside a transaction, keeps every row (and stored file) they
added, and rolls them back; that test and every later one then gets the kept rows put back
and fresh model instances read from them, never an instance another test has held.

The rows are put back only where they were made: on a database holding no programme, person,
organisation or user (a test that asks for the demo, or a module's own data, gets the
fixture made through the models, as before), and at the tests' frozen moment (tests marked
`services` keep the real clock, and make their rows as before).
"""

from __future__ import annotations

import copy
import datetime
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.sql import InsertQuery

# Made by the migrations and cached by Django (content types, permissions), or the tests' own
# (sessions): never a fixture's rows.
NOT_FIXTURE_ROWS = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}

# What a fixture may return besides model instances (and dicts, lists, tuples and namespaces
# of them): values no test can change, so every test may share them.
UNCHANGING = (str, int, float, Decimal, datetime.date, datetime.timedelta, type(None))


def fixture_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label not in NOT_FIXTURE_ROWS
    ]


@dataclass(frozen=True)
class Ref:
    """A model instance a fixture returned, by model and id."""

    model: type[Model]
    pk: object


@dataclass(frozen=True)
class KeptTable:
    """One table's new rows (as the model's values, by column), and the statements that
    insert them, made once."""

    columns: tuple[str, ...]
    rows: dict[object, tuple]  # by id
    statements: tuple[tuple[str, tuple], ...]


@dataclass(frozen=True)
class KeptRows:
    """What the builds added: each table's new rows, the files they stored (by name in the
    media folder), what each build returned (model instances as `Ref`s), and the frozen
    clock's reading when they were done (every row's time is before it)."""

    tables: dict[type[Model], KeptTable]
    files: dict[str, bytes]
    results: tuple
    made_by: float


_kept: dict[str, KeptRows] = {}


def database_is_empty() -> bool:
    """No programme, organisation, person or user: nothing a kept row could collide with."""
    from programmes.models import Organisation, Person, Programme

    return not any(
        model._base_manager.exists()
        for model in (Programme, Organisation, Person, get_user_model())
    )


def made_once(key: str, builds: list[Callable[[list], object]], *, clock) -> list | None:
    """Put back the rows `builds` make (each given what the earlier ones returned), made once
    per process under `key`; return what each build returned, with fresh model instances.
    None where the database is not empty: the caller then makes them through the models.

    The test's frozen `clock` (time_machine's coordinates) is moved on past the moment the
    rows were made, as if the test had just made them: what it does next comes after them (a
    record's history stays in order)."""
    if not database_is_empty():
        return None
    if key not in _kept:
        _kept[key] = _keep(builds)
    kept = _kept[key]
    made = _put_back(kept)
    behind = kept.made_by - time.time()
    if behind > 0:
        clock.shift(behind + 0.001)
    return made


def _media_files() -> dict[str, Path]:
    media = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(media)): path for path in media.rglob("*") if path.is_file()}


def _keep(builds) -> KeptRows:
    from tests.conftest import forget_everything_kept

    models = fixture_models()
    before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
    files_before = set(_media_files())
    with transaction.atomic():
        results: list = []
        for build in builds:
            results.append(build(results))
        tables = {}
        for model in models:
            columns = tuple(field.attname for field in model._meta.concrete_fields)
            pk_at = columns.index(model._meta.pk.attname)
            rows = {
                row[pk_at]: row
                for row in model._base_manager.values_list(*columns)
                if row[pk_at] not in before[model]
            }
            if rows:
                tables[model] = KeptTable(columns, rows, _inserts(model, columns, rows))
        refs = tuple(_as_refs(result) for result in results)
        transaction.set_rollback(True)
    files = {
        name: path.read_bytes() for name, path in _media_files().items() if name not in files_before
    }
    # What the builds kept in the cache (ratings, counters) belonged to rows now rolled back.
    forget_everything_kept()
    return KeptRows(tables=tables, files=files, results=refs, made_by=time.time())


def put_files_back(files: dict[str, bytes]) -> None:
    """Each file into this process's media folder, by name, where it is not (a test may have
    deleted one)."""
    media = Path(settings.MEDIA_ROOT)
    for name, content in files.items():
        if not (media / name).exists():
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(content)


def number_after_rows_put_back(models) -> None:
    """Rows put back keep the ids they were made with: the models' new rows are numbered
    after them (PostgreSQL's sequences; SQLite numbers after the highest id itself)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


def _put_back(kept: KeptRows) -> list:
    put_files_back(kept.files)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in kept.tables.values():
                for sql, params in table.statements:
                    cursor.execute(sql, params)
        number_after_rows_put_back(kept.tables)
    made = {}
    return [_as_instances(result, kept.tables, made) for result in kept.results]


def _inserts(model: type[Model], columns: tuple[str, ...], rows: dict) -> tuple:
    """The statements inserting the rows as they are (`raw`: no field's `pre_save`, so the
    times of `auto_now` fields stay those they were made with), in the database's batches."""
    fields = model._meta.concrete_fields
    instances = [model(**dict(zip(columns, row, strict=True))) for row in rows.values()]
    batch = max(connection.ops.bulk_batch_size(fields, instances), 1)
    statements = []
    for start in range(0, len(instances), batch):
        query = InsertQuery(model)
        query.insert_values(fields, instances[start : start + batch], raw=True)
        statements += query.get_compiler(connection=connection).as_sql()
    return tuple(statements)


def _as_refs(value):
    if isinstance(value, Model):
        return Ref(type(value), value.pk)
    if isinstance(value, dict):
        return {key: _as_refs(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_as_refs(item) for item in value)
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_as_refs(vars(value)))
    if isinstance(value, UNCHANGING):
        return value
    raise TypeError(
        f"A fixture made once returned a {type(value).__name__}: return model instances, "
        "plain values, and dicts, lists or namespaces of them"
    )


def _as_instances(value, tables: dict[type[Model], KeptTable], made: dict | None = None):
    """The builds' results with a fresh instance for each `Ref`, as if read from its row (a
    copy of the values, so that no test changes another's); one instance for each row, as
    the builds shared them (the world's programme is the plan's)."""
    made = {} if made is None else made
    if isinstance(value, Ref):
        if value not in made:
            table = tables[value.model]
            made[value] = value.model.from_db(
                connection.alias, table.columns, copy.deepcopy(table.rows[value.pk])
            )
        return made[value]
    if isinstance(value, dict):
        return {key: _as_instances(item, tables, made) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_as_instances(item, tables, made) for item in value)
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_as_instances(vars(value), tables, made))
    return value


# ----- A module's world -----

# Each module's world builder, by module name, as `build(plan, people)`: the `plan` fixture
# makes its rows with the plan's (tests/conftest.py).
WORLDS: dict[str, Callable] = {}
WORLD = pytest.StashKey[object]()


def world_made_once(build: Callable):
    """The module's `world` fixture, from `build(plan)` or `build(plan, people)`: its rows
    are made once per test process with the plan's (and the people's) and put back for each
    test; where they cannot be (tests/conftest.py: `plan`), it is built through the models."""
    needs_people = "people" in inspect.signature(build).parameters
    WORLDS[build.__module__] = lambda plan, people: (
        build(plan, people) if needs_people else build(plan)
    )
    if needs_people:

        @pytest.fixture(name="world")
        def world_with_people(request, plan, people):
            if WORLD in request.node.stash:
                return request.node.stash[WORLD]
            return build(plan, people)

        return world_with_people

    @pytest.fixture(name="world")
    def world(request, plan):
        if WORLD in request.node.stash:
            return request.node.stash[WORLD]
        return build(plan)

    return world
