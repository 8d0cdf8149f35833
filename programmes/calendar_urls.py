"""Calendar feeds (iCalendar) at secret URLs, and the page where a user gets and resets them."""

from django.urls import path

from programmes import calendar_views

urlpatterns = [
    path("calendars/", calendar_views.calendar_feed_list, name="calendar_feed_list"),
    path("calendars/get-link/", calendar_views.calendar_feed_create, name="calendar_feed_create"),
    path("calendars/reset-link/", calendar_views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendars/<slug:token>.ics", calendar_views.calendar_feed_ics, name="calendar_feed"),
]
