"""Django loads an app's models from its `models` module; admissions keeps each concern's models
in that concern's package, so this module only imports them. Code imports a model from its
concern (admissions.rounds.models), never from here: this module sits above every concern."""

from admissions.appeals import models as appeals  # noqa: F401
from admissions.applications import models as applications  # noqa: F401
from admissions.enrolment import models as enrolment  # noqa: F401
from admissions.funding import models as funding  # noqa: F401
from admissions.rounds import models as rounds  # noqa: F401
