"""django-simple-history's `Model.history` makes a new manager class (`from_queryset`, a
`type()` call) each time it is read, and it is read for every record saved: 2.4 of the 28
seconds `load_demo` took, and a little of every request that saves. Each model's descriptor is
replaced at start-up by one that makes its class once; what it returns is the same manager.
"""

from __future__ import annotations

from django.apps import apps
from simple_history.manager import HistoryDescriptor


class HistoryDescriptorOnce(HistoryDescriptor):
    def __init__(self, descriptor: HistoryDescriptor):
        super().__init__(descriptor.model, descriptor.manager_class, descriptor.queryset_class)
        self.manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


def make_history_manager_classes_once() -> None:
    """Replace every tracked model's history descriptor (at start-up: programmes/apps.py)."""
    for model in apps.get_models():
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            setattr(model, name, HistoryDescriptorOnce(descriptor))
