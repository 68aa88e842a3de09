from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("consultation.urls")),
    path("", include("consultation.urls_offline")),
    path("secretariat/publication/", include("publication.urls_secretariat")),
    path("secretariat/", include("consultation.urls_secretariat")),
    path("reports/", include("reports.urls")),
    path("analysis/", include("monitoring.urls")),
    path("public/", include("publication.urls_public")),
    path("stakeholders/", include("stakeholders.urls")),
    path("follow-up/", include("followup.urls")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]

# A clear page when a form sends more than Django accepts at once (see ``config.views.bad_request``).
handler400 = "config.views.bad_request"
