from django.urls import path

from admissions.rounds.views import letters

urlpatterns = [
    path("<int:pk>/", letters.letter_download, name="letter_download"),
]
