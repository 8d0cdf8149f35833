"""The REST API, version 1 (issue 7): each app's routes under /api/v1/, the schema and docs.

The docs page (Swagger UI, served from our own static files) is for signed-in users, as is
the schema.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from programmes.api.urls import urlpatterns as programme_routes
from programmes.api.views import DocsView
from risks.api.urls import urlpatterns as risk_routes
from workstreams.api.urls import urlpatterns as workstream_routes

v1 = [*programme_routes, *workstream_routes, *risk_routes]

urlpatterns = [
    path("v1/", include((v1, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", login_required(DocsView.as_view(url_name="api_schema")), name="api_docs"),
]
