"""The regional structure: municipalities, centres, the catalogue and the agreement."""

from django.conf import settings
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


class Sector(models.TextChoices):
    # The state grant is granted per sector; a programme counts towards its sector's grant year.
    INDUSTRY = "industry", _("Industry")
    CARE = "care", _("Health and social care")
    IT = "it", _("IT")
    OTHER = "other", _("Other")


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
    sector = models.CharField(
        _("sector"), max_length=16, choices=Sector.choices, default=Sector.INDUSTRY
    )
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


class EarlyStopRule(models.TextChoices):
    FULL_COURSE = "full_course", _("The whole course is charged")
    PRO_RATA = "pro_rata", _("Charged pro rata to the days studied")


class Agreement(models.Model):
    """Samverkansavtal: the municipalities' cooperation agreement and its validity."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="agreements")
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    parties = models.ManyToManyField(
        Municipality, related_name="agreements", verbose_name=_("parties")
    )
    early_stop_rule = models.CharField(
        _("charge for a student who stops early"),
        max_length=16,
        choices=EarlyStopRule.choices,
        default=EarlyStopRule.FULL_COURSE,
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


class PriceUnit(models.TextChoices):
    PER_VP = "per_vp", _("per vp")
    # A full-time week is 20 vp, whatever the pace: a half-pace course is charged the same per vp.
    PER_WEEK = "per_week", _("per full-time week (20 vp)")


class PriceQuerySet(RegionQuerySet):
    region_path = "agreement__region"


class Price(models.Model):
    """The agreement's price for one programme: what the home municipality pays the host
    municipality for a resident who studies it (interkommunal ersättning)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="prices")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="prices"
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices)
    amount = models.DecimalField(
        _("price (SEK per unit)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    objects = PriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("price list")
        ordering = ["agreement", "programme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "programme"], name="price_once_per_programme"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.amount} {self.get_unit_display()}"


# --- The state grant: granted places, the rectors' allocation and the co-financing -----------


class GrantYearQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """The grant is the region's shared business: rectors, region admins and the council
        (which sees totals only, enforced by its pages) see the region's grant years."""
        if membership is None or membership.role not in (
            Role.RECTOR,
            Role.REGION_ADMIN,
            Role.COUNCIL_MEMBER,
        ):
            return self.none()
        return self.for_region(membership.region)


class GrantYear(models.Model):
    """The region's joint state grant for regional yrkesvux in one calendar year and sector, as
    Skolverket decided it. An offering counts towards the grant year in which it starts."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="grant_years")
    year = models.PositiveSmallIntegerField(_("year"))
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    granted_places = models.DecimalField(
        _("granted places (årsstudieplatser)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    granted_amount = models.DecimalField(
        _("granted amount (SEK)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    # Co-financing: the municipalities together finance at least `municipal` places for every
    # `state` state-funded places (1:1 in 2019; 3:7 since SFS 2020:27).
    cofinancing_municipal = models.PositiveSmallIntegerField(
        _("co-financing: municipal places"), default=1, validators=[MinValueValidator(0)]
    )
    cofinancing_state = models.PositiveSmallIntegerField(
        _("co-financing: per state places"), default=1, validators=[MinValueValidator(1)]
    )
    decision_reference = models.CharField(_("Skolverket's decision"), max_length=100, blank=True)

    objects = GrantYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant year")
        verbose_name_plural = _("grant years")
        ordering = ["-year", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "sector"], name="grant_year_once_per_sector"
            ),
            models.CheckConstraint(
                condition=Q(cofinancing_state__gte=1), name="grant_year_cofinancing_state_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_sector_display()}"


class GrantChildQuerySet(RegionQuerySet):
    region_path = "grant_year__region"

    def visible_to(self, membership):
        return self.filter(grant_year__in=GrantYear.objects.visible_to(membership))


class GrantRate(models.Model):
    """The state grant per årsstudieplats (800 vp) for one grant category in one grant year."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="rates")
    grant_category = models.CharField(
        _("grant category"), max_length=2, choices=GrantCategory.choices
    )
    amount_per_place = models.DecimalField(
        _("SEK per årsstudieplats"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    objects = GrantChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant rate")
        verbose_name_plural = _("grant rates")
        ordering = ["grant_year", "grant_category"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant_year", "grant_category"], name="grant_rate_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant_year} · {self.get_grant_category_display()}: {self.amount_per_place}"


class CofinancingCommitment(models.Model):
    """A municipality's committed co-financed places (årsstudieplatser) in a grant year. A
    decision record: a change adds a row, and the latest row per municipality counts."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="commitments")
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    places = models.DecimalField(
        _("co-financed places (årsstudieplatser)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    reason = models.TextField(_("reason"), blank=True)
    # None when the region's data file set it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    objects = GrantChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-financing commitment")
        verbose_name_plural = _("co-financing commitments")
        ordering = ["grant_year", "municipality", "-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=0), name="commitment_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.grant_year} · {self.municipality}: {self.places}"


class Allocation(models.Model):
    """One version of the rectors' allocation of a grant year's places to offerings. A decision
    record: saving makes a new version; the latest version is the one in force."""

    grant_year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="allocations")
    version = models.PositiveIntegerField(_("version"))
    # The version the rector had on screen when they saved; differs from version - 1 when
    # another rector saved in between.
    based_on_version = models.PositiveIntegerField(_("based on version"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    objects = GrantChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["grant_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant_year", "version"], name="allocation_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant_year} · v{self.version}"


class AllocationLine(models.Model):
    """State-funded seats of one offering in one allocation version."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="+"
    )
    seats = models.PositiveIntegerField(_("state-funded seats"))

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["allocation", "offering"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "offering"], name="allocation_line_once_per_offering"
            )
        ]

    def __str__(self) -> str:
        return f"{self.allocation}: {self.offering} × {self.seats}"
