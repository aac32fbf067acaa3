"""Applications and their review: the applicant's form, documents, the intake office's
queue and decisions per choice, import and export, and the read access log."""
