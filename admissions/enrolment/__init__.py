"""Enrolment (studier): who started, stopped early or completed an offering, and the
courses credited on a study path."""
