from django.urls import path

from yrkescenter import views

app_name = "yrkescenter"

urlpatterns = [
    path("", views.centre_list, name="centre_list"),
    path("<int:pk>/", views.centre_detail, name="centre_detail"),
    path("utbildningar/", views.offering_list, name="offering_list"),
    path("utbildningar/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("villkor/", views.region_terms, name="region_terms"),
]
