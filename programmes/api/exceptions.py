"""How the API answers when a write is refused (docs/api.md).

The services raise Django's ValidationError with {field: message}: the API answers 400 with
{field: [messages]} (problems with no field under "non_field_errors"). A write based on a
stale copy raises StaleEdit: 409 with a plain message and the version now stored. Http404
and PermissionDenied from `programmes.permissions.require` become 404 and 403 as usual.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from programmes.models import StaleEdit


def exception_handler(exc, context):
    if isinstance(exc, StaleEdit):
        noun = type(exc.instance)._meta.verbose_name
        return Response(
            {
                "detail": (
                    f"Someone else changed this {noun} after you read it. Read it again "
                    "(it is now at the version below), check their change, then send yours "
                    "with that version."
                ),
                "version": exc.stored_version,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=as_serializer_error(exc))
    return drf_exception_handler(exc, context)
