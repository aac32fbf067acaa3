from django.urls import path

from industriradet.views import public

app_name = "statistik"

urlpatterns = [
    path("", public.index, name="index"),
]
