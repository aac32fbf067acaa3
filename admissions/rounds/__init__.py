"""Admission rounds, offers and decision letters: the regional round runs the matching engine,
publishes offers and writes one letter per applicant."""
