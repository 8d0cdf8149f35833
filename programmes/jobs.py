"""Queueing background jobs (Celery tasks) from the services.

Services queue a job by the task's registered name, once their transaction commits, so that
a worker never reads rows that are not yet there and a rolled-back write queues nothing. By
name, so that the services never import the tasks that call them (each app's tasks module is
registered when the app is ready).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def queue_after_commit(task_name: str, *args) -> None:
    """Run the task with these arguments in the background once the transaction commits (at
    once, outside a transaction). In the embedded default and in tests, tasks run eagerly."""
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.delay(*args))
