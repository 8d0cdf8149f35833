"""The settings the tests load (pyproject.toml: DJANGO_SETTINGS_MODULE).

DEBUG is off unless switched on (transformation/settings.py); the tests switch it on, as
`make run` does, unless the environment says otherwise: the development configuration needs
no secret and serves plain HTTP to the test client. pytest-django then turns DEBUG off while
each test runs, so pages and error pages behave as in production. It is set in the
environment, so that the processes tests start (Celery workers) load the same; the
production configuration itself is tested in processes of its own
(tests/test_production_settings.py, tests/test_debug_is_off_by_default.py).
"""

import os

os.environ.setdefault("DEBUG", "true")

from transformation.settings import *  # noqa: E402, F403

# Two-factor codes are asked only in tests/test_two_factor.py, which turns them on; the other
# tests sign in with force_login, as people who have entered their code.
TWO_FACTOR_REQUIRED = False
