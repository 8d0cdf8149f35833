"""The bench's own URLconf (`manage.py bench`): the site's, and a signed-in request that does
nothing, to measure what every page costs before its own work (the handler and middleware,
the session and the user) and so the lowest ratio to the SQL floor any page could have."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def nothing(request):
    return HttpResponse("")


urlpatterns = [
    path("bench/nothing/", nothing, name="bench_nothing"),
    path("", include("transformation.urls")),
]
