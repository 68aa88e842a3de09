"""The platform's URLs plus the two ceilings every figure is compared with, measured the same way."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as platform_urlpatterns


def plain(request):
    """The minimal Django view: no session read, no query."""
    return HttpResponse("ok")


@login_required
def auth_db(request):
    """An authenticated view doing one query (plus the session and user reads every signed-in page does)."""
    return HttpResponse(str(Group.objects.count()))


urlpatterns = [
    path("bench/plain/", plain),
    path("bench/auth-db/", auth_db),
    *platform_urlpatterns,
]
