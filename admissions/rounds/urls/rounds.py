from django.urls import path

from admissions.rounds.views import rounds

urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("ny/", rounds.round_create, name="round_create"),
    path("<int:pk>/", rounds.round_detail, name="round_detail"),
    path("<int:pk>/status/", rounds.round_status, name="round_status"),
    path("<int:pk>/kor/", rounds.round_run, name="round_run"),
    path("<int:pk>/resultat/", rounds.round_results, name="round_results"),
    path("<int:pk>/publicera/", rounds.round_publish, name="round_publish"),
    path("<int:pk>/stang/", rounds.round_close, name="round_close"),
]
