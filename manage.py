#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transformation.settings")
    # A checkout with nothing configured is someone's development copy: commands run in the
    # development configuration there. A deployment sets SECRET_KEY, and with it DEBUG stays
    # off unless switched on; the web and worker processes (wsgi.py, celery.py) never do this.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
