from django.urls import path

from admissions.rounds.views import offers

urlpatterns = [
    path("<int:pk>/", offers.offer_answer, name="offer_answer"),
]
