from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import RegionQuerySet


class TieBreak(models.TextChoices):
    LOTTERY = "lottery", _("Lottery drawn once per intake period")
    GIVEN = "given", _("A given number, e.g. time of application")


class Region(models.Model):
    """The tenant: a region whose municipalities share one cooperation agreement."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=8, default="sv")
    max_choices = models.PositiveSmallIntegerField(_("maximum ranked choices"), default=5)
    tie_break = models.CharField(
        _("tie-break rule"), max_length=16, choices=TieBreak.choices, default=TieBreak.LOTTERY
    )
    # The time an applicant has to answer an offer: a new round's deadline is proposed this far
    # ahead (the round's own answer_deadline is what counts).
    answer_days = models.PositiveSmallIntegerField(_("answer time (days)"), default=14)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_choices__gte=1) & Q(max_choices__lte=20),
                name="region_max_choices_1_to_20",
            ),
            models.CheckConstraint(
                condition=Q(answer_days__gte=1) & Q(answer_days__lte=60),
                name="region_answer_days_1_to_60",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionHost(models.Model):
    """A host name that serves one region; a region may have several."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(_("host name"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address. Roles come from memberships in regions."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    # Set only from the verified claim of an e-ID login (accounts.eid): the link from a login to
    # the person. A number typed into an application proves nothing and never lands here.
    personnummer = models.CharField(
        _("personnummer (verified by e-ID)"), max_length=12, blank=True, editable=False
    )
    # is_staff only marks installation operators (superusers); region staff come from Membership.
    is_staff = models.BooleanField(_("installation operator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["personnummer"],
                condition=~Q(personnummer=""),
                name="user_one_account_per_personnummer",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    COUNSELLOR = "counsellor", _("Study counsellor")
    RECTOR = "rector", _("Rector")
    COORDINATOR = "coordinator", _("Centre coordinator")
    ASSESSOR = "assessor", _("Validation assessor")
    COUNCIL_MEMBER = "council_member", _("Council member")
    REGION_ADMIN = "region_admin", _("Region administrator")
    COMPANY_CONTACT = "company_contact", _("Company contact")


# Staff work with personal data and must use two-factor login. Applicants and company contacts
# (who see only their own company's needs and APL places) are not staff.
STAFF_ROLES = tuple(role for role in Role if role not in (Role.APPLICANT, Role.COMPANY_CONTACT))
# Roles whose scope is one municipality, or one centre; the rest act for the whole region.
# Tuples, not sets: their order goes into a migration and must not change between runs.
MUNICIPALITY_ROLES = (Role.COUNSELLOR, Role.RECTOR)
CENTRE_ROLES = (Role.COORDINATOR,)


class MembershipQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        if membership is None or membership.role != Role.REGION_ADMIN:
            return self.none()
        return self.for_region(membership.region)


class Membership(models.Model):
    """A user's role in one region, with its scope: a municipality, a centre, or the region."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_municipality = models.ForeignKey(
        "yrkescenter.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scope_centre = models.ForeignKey(
        "yrkescenter.Yrkescenter",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Skyddade personuppgifter: only intake officers named for it see such an application.
    handles_protected_identity = models.BooleanField(
        _("handles protected personal data"),
        default=False,
        help_text=_(
            "Only for intake officers: the named officers who may see applications from people "
            "with protected personal data (skyddade personuppgifter)."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["region", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"], name="membership_one_role_per_region"
            ),
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role__in=[r.value for r in MUNICIPALITY_ROLES],
                        scope_municipality__isnull=False,
                        scope_centre__isnull=True,
                    )
                    | Q(
                        role__in=[r.value for r in CENTRE_ROLES],
                        scope_municipality__isnull=True,
                        scope_centre__isnull=False,
                    )
                    | (
                        ~Q(role__in=[r.value for r in MUNICIPALITY_ROLES + CENTRE_ROLES])
                        & Q(scope_municipality__isnull=True, scope_centre__isnull=True)
                    )
                ),
            ),
            models.CheckConstraint(
                name="membership_protected_identity_only_intake",
                condition=Q(handles_protected_identity=False) | Q(role="intake_officer"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def sees_protected_identities(self) -> bool:
        return self.role == Role.INTAKE_OFFICER and self.handles_protected_identity


class AuditEntryQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        if membership is None or membership.role != Role.REGION_ADMIN:
            return self.none()
        return self.for_region(membership.region)


class AuditEntry(models.Model):
    """Who did or saw what, when, in which region. Append-only: rows are never edited."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    # Kept as text so the entry still says who it was after the user is gone.
    user_email = models.CharField(_("user"), max_length=254, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["region", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.object_repr}"

    @property
    def role_label(self) -> str:
        # A plain field, not choices: entries keep roles that may later be renamed or removed.
        return Role(self.role).label if self.role in Role.values else self.role


class TaskOutbox(models.Model):
    """A Celery task a committed write asked for, kept until the broker has taken it: if Redis
    is down the write stays and the task is sent again (accounts.outbox)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
