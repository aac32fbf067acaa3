from django.urls import path

from admissions.enrolment import views as enrolment

urlpatterns = [
    path("", enrolment.enrolment_index, name="enrolment_index"),
    path("kurs/<int:pk>/", enrolment.enrolment_offering, name="enrolment_offering"),
    path("val/<int:pk>/start/", enrolment.enrolment_start, name="enrolment_start"),
    path("<int:pk>/avbrott/", enrolment.enrolment_interrupt, name="enrolment_interrupt"),
    path("<int:pk>/slutford/", enrolment.enrolment_complete, name="enrolment_complete"),
    path("<int:pk>/rattelse/", enrolment.enrolment_correct, name="enrolment_correct"),
    path("<int:pk>/annullera/", enrolment.enrolment_annul, name="enrolment_annul"),
]
