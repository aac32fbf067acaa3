"""Write services of admissions, one module per area; import from the module itself:
applications (the applicant's side), review (the intake office), transfer (import and export)."""
