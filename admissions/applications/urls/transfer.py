from django.urls import path

from admissions.applications.views import transfer

urlpatterns = [
    path("", transfer.index, name="transfer_index"),
    path("export/", transfer.export, name="transfer_export"),
    path("import/", transfer.import_upload, name="transfer_import"),
    path("import/granska/", transfer.import_preview, name="transfer_import_preview"),
    path("import/bekrafta/", transfer.import_confirm, name="transfer_import_confirm"),
]
