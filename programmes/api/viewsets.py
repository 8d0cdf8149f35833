"""The base of every API list: only what the signed-in user may see (DOMAIN.md section 2).

Objects of programmes in which the user holds no role are never listed, and are 404 by id,
never 403: their existence is not revealed. Writes fetch their object with `object_for`
(scoped first, then the role checked: `programmes.permissions.get_for`, 404 or 403) before
calling the service, which checks it again.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets

from programmes.permissions import Action, get_for


class VisibleViewSet(viewsets.ReadOnlyModelViewSet):
    """List and read one: `queryset` (with its ordering) narrowed to what the user sees."""

    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet:
        return self.with_details(super().get_queryset().visible_to(self.request.user))

    def with_details(self, queryset: QuerySet) -> QuerySet:
        """Join, annotate and prefetch what the serializer reads, so that a list is a fixed
        number of queries whatever its length."""
        return queryset

    def get_serializer_context(self) -> dict:
        # Computed ratings are as of today, as on the pages.
        return super().get_serializer_context() | {"today": timezone.localdate()}

    def object_for(self, action: Action):
        """The object the URL names, from what the user may see (404), if their role allows
        the action on it (403)."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        return get_for(
            self.request.user,
            action,
            self.get_queryset(),
            **{self.lookup_field: self.kwargs[lookup]},
        )

    def fresh(self, instance):
        """The object as the list shows it, read again after a write."""
        return self.get_queryset().get(pk=instance.pk)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="The version now stored")


def write_responses(serializer, *, created: bool = False) -> dict:
    """The answers a write may give (docs/api.md, "Writes")."""
    return {
        201 if created else 200: serializer,
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description='Refused: {"field": ["what is wrong"]}, or "non_field_errors"',
        ),
        401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
        403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this"),
        404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see"),
        409: OpenApiResponse(
            ConflictSerializer, description="Changed by someone else since you read it"
        ),
    }
