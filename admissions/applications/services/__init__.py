"""Write services of applications, one module per area; import from the module itself:
applications (the applicant's side), review (the intake office), transfer (import and export),
access_log (who read what)."""
