from django.contrib import admin
from django.urls import include, path

from programmes.api.token_views import api_token

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("transformation.api_urls")),
    path("account/api-token/", api_token, name="api_token"),
    path("", include("programmes.accounts.urls")),
    path("", include("programmes.urls")),
    path("", include("workstreams.urls")),
    path("", include("reporting.urls")),
    path("", include("risks.urls")),
    path("", include("plans.urls")),
]
