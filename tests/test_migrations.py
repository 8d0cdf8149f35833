"""The tests build their database straight from the models (`--no-migrations` in
pyproject.toml: about 15 s less for each test process than replaying every migration), so the
migrations are applied here, once, to an empty database, as `make run` and a deployment apply
them: they run to the end, make a table for every model, and leave the default outcome
categories. (CI also checks that no model change lacks its migration.)"""

import os
import sqlite3
import subprocess
import sys
from importlib import import_module

from django.apps import apps
from django.conf import settings

DEFAULTS = import_module("programmes.migrations.0003_default_outcome_categories").DEFAULTS


def test_the_migrations_build_an_empty_database_with_every_models_table(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "transformation.settings",
        "DEBUG": "true",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )

    with sqlite3.connect(database) as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        [(categories,)] = connection.execute("SELECT count(*) FROM programmes_outcomecategory")
    models = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    assert models - tables == set()
    assert categories == len(DEFAULTS)
