"""The regional structure: municipalities, centres, the catalogue and the agreement."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet

kommunkod_validator = RegexValidator(r"^\d{4}$", _("A municipality code has four digits."))
ssyk_validator = RegexValidator(r"^\d{1,4}$", _("An SSYK 2012 code has one to four digits."))


class Municipality(models.Model):
    """A municipality with its official code (kommunkod), e.g. 1780 Karlstad."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="municipalities")
    code = models.CharField(_("municipality code"), max_length=4, validators=[kommunkod_validator])
    name = models.CharField(_("name"), max_length=100)
    # Every Swedish municipality can be an applicant's home; only parties share the agreement.
    # A resident of a non-party needs their own municipality's cost commitment.
    is_party = models.BooleanField(_("party to the agreement"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="municipality_code_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Yrkescenter(models.Model):
    """A vocational centre: hosted by one municipality, with an industrial orientation."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="centres")
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    host_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("host municipality"),
        on_delete=models.PROTECT,
        related_name="centres",
    )
    orientation = models.CharField(_("industrial orientation"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vocational centre")
        verbose_name_plural = _("vocational centres")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="centre_slug_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class IntakeOffice(models.Model):
    """The region's shared intake office, run by one municipality on behalf of all."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="intake_office")
    name = models.CharField(_("name"), max_length=120)
    host_municipality = models.ForeignKey(
        Municipality, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake office")
        verbose_name_plural = _("intake offices")

    def __str__(self) -> str:
        return self.name


class GrantCategory(models.TextChoices):
    # Skolverket's price groups for the yrkesvux state grant.
    CATEGORY_1 = "1", _("Category 1")
    CATEGORY_2 = "2", _("Category 2")
    CATEGORY_3 = "3", _("Category 3")
    CATEGORY_4 = "4", _("Category 4")


class Course(models.Model):
    """A Skolverket course (code, name, points) as the region teaches it."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(_("course code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    points = models.PositiveIntegerField(_("points (vp)"), validators=[MinValueValidator(1)])

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="course_code_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.points} vp)"


class Programme(models.Model):
    """A vocational package or course: what it contains and the occupation it leads to."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="programmes")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    vp = models.PositiveIntegerField(
        _("verksamhetspoäng (vp)"),
        validators=[MinValueValidator(1)],
        help_text=_("20 vp is one full-time week; 800 vp is one full-time study year."),
    )
    grant_category = models.CharField(
        _("grant category"), max_length=2, choices=GrantCategory.choices
    )
    ssyk_code = models.CharField(
        _("occupation (SSYK 2012)"), max_length=4, validators=[ssyk_validator]
    )
    occupation = models.CharField(_("occupation"), max_length=200)
    courses = models.ManyToManyField(
        Course, through="ProgrammeCourse", related_name="programmes", verbose_name=_("courses")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="programme_code_per_region")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def study_weeks(self) -> float:
        return self.vp / 20

    @property
    def arsstudieplatser(self) -> float:
        return self.vp / 800


class ProgrammeCourse(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="lines")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("course in programme")
        verbose_name_plural = _("courses in programme")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "course"], name="programme_course_once")
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.course}"


class IntakePeriod(models.Model):
    """A term in which offerings start; applicants make one application per period."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="intake_periods")
    code = models.SlugField(_("code"), max_length=20, help_text=_("For example ht2027."))
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first start date"))
    ends_on = models.DateField(_("last start date"))

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake period")
        verbose_name_plural = _("intake periods")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="intake_period_code_per_region"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="intake_period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Pace(models.IntegerChoices):
    QUARTER = 25, _("25 %")
    HALF = 50, _("50 %")
    THREE_QUARTERS = 75, _("75 %")
    FULL = 100, _("Full time")


class OfferingQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """The catalogue is public within the region; a coordinator works on their centre."""
        queryset = super().visible_to(membership)
        if membership is not None and membership.role == Role.COORDINATOR:
            queryset = queryset.filter(centre=membership.scope_centre_id)
        return queryset


class Offering(models.Model):
    """Kurstillfälle: a programme at a centre in one intake period."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="offerings")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="offerings"
    )
    centre = models.ForeignKey(
        Yrkescenter, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="offerings"
    )
    intake_period = models.ForeignKey(
        IntakePeriod,
        verbose_name=_("intake period"),
        on_delete=models.PROTECT,
        related_name="offerings",
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    pace = models.PositiveSmallIntegerField(_("pace"), choices=Pace.choices, default=Pace.FULL)
    seats = models.PositiveIntegerField(_("seats"))
    state_funded_seats = models.PositiveIntegerField(_("state-funded seats"), default=0)
    application_opens = models.DateTimeField(_("application opens"))
    application_closes = models.DateTimeField(_("application deadline"))

    objects = OfferingQuerySet.as_manager()

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["starts_on", "programme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "centre", "intake_period", "starts_on"],
                name="offering_once_per_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="offering_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state_funded_seats__lte=F("seats")),
                name="offering_state_seats_within_seats",
            ),
            models.CheckConstraint(
                condition=Q(application_closes__gt=F("application_opens")),
                name="offering_window_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.centre} · {self.starts_on:%Y-%m-%d}"


class Agreement(models.Model):
    """Samverkansavtal: the municipalities' cooperation agreement and its validity."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="agreements")
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    parties = models.ManyToManyField(
        Municipality, related_name="agreements", verbose_name=_("parties")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agreement_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.name
