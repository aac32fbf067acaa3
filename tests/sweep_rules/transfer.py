"""Sweep rules of the import and export pages (intake office and region admins only)."""

from accounts.models import Role
from tests.sweep import GET_NOT_ALLOWED, REDIRECTS, ROLES, rule

TRANSFER = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)

RULES = {
    "admissions:transfer_index": rule(ROLES, *TRANSFER),
    # Exports and uploads are POSTs: options and files never travel in a URL.
    "admissions:transfer_export": rule(ROLES, *TRANSFER, ok=GET_NOT_ALLOWED),
    "admissions:transfer_import": rule(ROLES, *TRANSFER, ok=GET_NOT_ALLOWED),
    # Without an uploaded file in the session the preview sends the user back to the upload.
    "admissions:transfer_import_preview": rule(ROLES, *TRANSFER, ok=REDIRECTS),
    "admissions:transfer_import_confirm": rule(ROLES, *TRANSFER, ok=GET_NOT_ALLOWED),
}
