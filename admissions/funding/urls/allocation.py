from django.urls import path

from admissions.funding.views import allocation

urlpatterns = [
    path("", allocation.allocation_index, name="allocation_index"),
    path("<int:pk>/", allocation.allocation_detail, name="allocation_detail"),
    path(
        "<int:pk>/version/<int:version>/",
        allocation.allocation_version,
        name="allocation_version",
    ),
    path("<int:pk>/medfinansiering/", allocation.commitment_record, name="commitment_record"),
]
