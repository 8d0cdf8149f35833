from django.conf import settings


def site(request):
    """The service's name, and the organisation whose name heads the page.

    The header names the council: the organisation of the programme on screen if a view set
    one (`header_organisation` in its context wins), else the signed-in person's own.
    """
    organisation = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        person = getattr(user, "person", None)
        organisation = person.organisation if person is not None else None
    return {"service_name": settings.SITE_NAME, "user_organisation": organisation}
