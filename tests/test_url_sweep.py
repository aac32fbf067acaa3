"""The URL sweep: every URL pattern of the project, with every role, from the home region and
from a foreign region, with objects planted in both.

It asserts that anonymous users are sent to login except on pages declared public, that pages
refuse the roles they are not for, that a foreign object answers exactly like a missing one
(a 404), and that POSTs to foreign objects change nothing. A pattern that RULES does not
classify fails `test_every_url_pattern_is_classified`, so no later page can be forgotten.

To add a page: add its URL name to RULES. To add a model with an admin or object pages: add a
planter to PLANTERS, so the sweep has an object of it in both regions.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.sites import site as default_admin_site
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.admin_site import admin_site
from accounts.models import AuditEntry, Membership, Region, Role, User
from tests import sweep_rules
from tests.factories import (
    CentreFactory,
    CourseFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    RegionFactory,
    RegionHostFactory,
    enrol_totp,
)
from tests.sweep import (
    ADMIN,
    GET_NOT_ALLOWED,
    LOGIN,
    PUBLIC,
    REDIRECTS,
    ROLES,
    SUPERUSER,
    Rule,
    rule,
)
from tests.sweep_rules.protected_identity import PROTECTED_NAME
from yrkescenter.models import (
    Agreement,
    Course,
    IntakeOffice,
    IntakePeriod,
    Municipality,
    Offering,
    Programme,
    ProgrammeCourse,
    Yrkescenter,
)

RULES: dict[str, Rule] = {
    # --- the project's own pages ---
    "home": rule(PUBLIC),
    "healthz": rule(PUBLIC),
    "set_language": rule(PUBLIC, ok=REDIRECTS),
    "accounts:start": rule(LOGIN),
    "accounts:switch_role": rule(LOGIN, ok=GET_NOT_ALLOWED),
    "accounts:audit_log": rule(ROLES, Role.REGION_ADMIN),
    "yrkescenter:centre_list": rule(PUBLIC),
    "yrkescenter:centre_detail": rule(PUBLIC, obj="yrkescenter.yrkescenter"),
    # --- allauth: login, signup and recovery are public; managing an account needs login ---
    "account_login": rule(PUBLIC),
    "account_signup": rule(PUBLIC, ok=REDIRECTS),
    "account_logout": rule(PUBLIC, ok=REDIRECTS),
    "account_inactive": rule(PUBLIC),
    "account_reset_password": rule(PUBLIC, ok=REDIRECTS),
    "account_reset_password_done": rule(PUBLIC, ok=REDIRECTS),
    "account_reset_password_from_key": rule(
        PUBLIC, kwargs={"uidb36": "1", "key": "not-a-key"}, ok=REDIRECTS
    ),
    "account_reset_password_from_key_done": rule(PUBLIC, ok=REDIRECTS),
    "account_confirm_email": rule(PUBLIC, kwargs={"key": "not-a-key"}, ok=REDIRECTS),
    "account_email_verification_sent": rule(PUBLIC, ok=REDIRECTS),
    "account_confirm_login_code": rule(LOGIN, ok=(200, 302, 404)),
    "mfa_authenticate": rule(LOGIN, ok=REDIRECTS),
    "account_reauthenticate": rule(LOGIN, ok=REDIRECTS),
    "account_request_reauthentication_code": rule(LOGIN, ok=(200, 302, 404)),
    "account_confirm_reauthentication_code": rule(LOGIN, ok=(200, 302, 404)),
    "account_email": rule(LOGIN),
    "account_change_password": rule(LOGIN, ok=REDIRECTS),
    "account_set_password": rule(LOGIN, ok=REDIRECTS),
    "mfa_index": rule(LOGIN),
    "mfa_reauthenticate": rule(LOGIN, ok=REDIRECTS),
    "mfa_activate_totp": rule(LOGIN, ok=REDIRECTS),
    "mfa_deactivate_totp": rule(LOGIN, ok=REDIRECTS),
    "mfa_view_recovery_codes": rule(LOGIN, ok=(200, 302, 404)),
    "mfa_generate_recovery_codes": rule(LOGIN, ok=REDIRECTS),
    "mfa_download_recovery_codes": rule(LOGIN, ok=(200, 302, 404)),
    "mfa_list_webauthn": rule(LOGIN, ok=REDIRECTS),
    "mfa_add_webauthn": rule(LOGIN, ok=REDIRECTS),
    "mfa_reauthenticate_webauthn": rule(LOGIN, ok=REDIRECTS),
    "mfa_remove_webauthn": rule(LOGIN, obj="mfa.authenticator", owner_only=True),
    "mfa_edit_webauthn": rule(LOGIN, obj="mfa.authenticator", owner_only=True),
    # --- the Django admin's own pages ---
    "admin:index": rule(ADMIN),
    "admin:login": rule(ADMIN, ok=REDIRECTS),
    "admin:logout": rule(ADMIN, ok=REDIRECTS + GET_NOT_ALLOWED),
    "admin:password_change": rule(ADMIN),
    "admin:password_change_done": rule(ADMIN),
    "admin:autocomplete": rule(ADMIN, ok=(403,)),
    "admin:jsi18n": rule(ADMIN),
    "admin:app_list": rule(ADMIN, kwargs={"app_label": "yrkescenter"}),
    "admin:view_on_site": rule(ADMIN, obj="yrkescenter.yrkescenter", ok=(404,)),
    "admin/(?P<url>.*)$": rule(ADMIN, kwargs={"url": "no-such-page/"}, ok=(404,)),
}

# Admin models only installation operators may use.
SUPERUSER_MODELS = {"accounts.region", "accounts.user"}
# Records the admin shows but never adds or deletes: they are made by services, as decisions.
READ_ONLY_ADMIN_MODELS = {
    "accounts.auditentry",
    "yrkescenter.cofinancingcommitment",
    "yrkescenter.allocation",
    "validation.validationcase",
    "industriradet.competenceneed",
    "industriradet.aploffer",
    "industriradet.aplbooking",
}


def _admin_model_rules() -> dict[str, Rule]:
    """Every registered model admin gives five patterns; they are classified by model."""
    rules = {}
    for model in admin_site._registry:
        label = model._meta.label_lower
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        access = SUPERUSER if label in SUPERUSER_MODELS else ADMIN
        read_only = label in READ_ONLY_ADMIN_MODELS
        rules[f"{info}_changelist"] = rule(access)
        rules[f"{info}_add"] = rule(access, ok=(403,) if read_only else (200,))
        rules[f"{info}_history"] = rule(access, obj=label)
        rules[f"{info}_delete"] = rule(access, obj=label, ok=(403,) if read_only else (200,))
        rules[f"{info}_change"] = rule(access, obj=label)
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        rules[route] = rule(access, obj=label)
    return rules


RULES.update(_admin_model_rules())


# --- walking the URL configuration ---


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name (with namespace), or the route for unnamed patterns
    route: str
    name: str | None
    converters: tuple[str, ...]


def walk(resolver=None, prefix: str = "", namespace: str | None = None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = None
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Pattern(
                key=name or route,
                route=route,
                name=name,
                converters=tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)),
            )


PATTERNS = list(walk())


def test_every_url_pattern_is_classified():
    unclassified = sorted({p.key for p in PATTERNS} - set(RULES))
    assert not unclassified, (
        "These URL patterns are not in the sweep's RULES; classify each one "
        f"(public, login, roles, admin): {unclassified}"
    )


def test_the_project_registers_its_models_on_its_own_admin_site_only():
    # django.contrib.admin.site is not routed; a project model registered there is a mistake.
    project_apps = {"accounts", "yrkescenter", "admissions", "validation", "industriradet"}
    stray = [m for m in default_admin_site._registry if m._meta.app_label in project_apps]
    assert not stray


# --- planting objects ---


def _plant_yrkescenter(region: Region, planted: dict) -> dict[str, models.Model]:
    municipality = MunicipalityFactory(region=region)
    centre = CentreFactory(region=region, host_municipality=municipality)
    course = CourseFactory(region=region)
    programme = ProgrammeFactory(region=region)
    ProgrammeCourse.objects.create(programme=programme, course=course, position=1)
    period = IntakePeriodFactory(region=region)
    offering = OfferingFactory(
        region=region, programme=programme, centre=centre, intake_period=period
    )
    agreement = Agreement.objects.create(
        region=region, name=f"Samverkansavtal {region.name}", valid_from=dt.date(2019, 1, 1)
    )
    agreement.parties.add(municipality)
    office = IntakeOffice.objects.create(
        region=region, name=f"Intagningen {region.name}", host_municipality=municipality
    )
    return {
        Municipality._meta.label_lower: municipality,
        Yrkescenter._meta.label_lower: centre,
        Course._meta.label_lower: course,
        Programme._meta.label_lower: programme,
        IntakePeriod._meta.label_lower: period,
        Offering._meta.label_lower: offering,
        Agreement._meta.label_lower: agreement,
        IntakeOffice._meta.label_lower: office,
    }


def _plant_accounts(region: Region, planted: dict) -> dict[str, models.Model]:
    member = MembershipFactory(region=region, role=Role.APPLICANT)
    entry = AuditEntry.objects.create(region=region, action="planted", object_repr="x")
    key = Authenticator.objects.create(
        user=member.user, type=Authenticator.Type.WEBAUTHN, data={"name": "key"}
    )
    return {
        Region._meta.label_lower: region,
        User._meta.label_lower: member.user,
        Membership._meta.label_lower: member,
        AuditEntry._meta.label_lower: entry,
        Authenticator._meta.label_lower: key,
    }


# Each planter makes one object of each of its models in a region, given what was planted
# before it. The modules of tests/sweep_rules/ add their own RULES and PLANTERS.
PLANTERS: list[Callable[[Region, dict], dict[str, models.Model]]] = [
    _plant_accounts,
    _plant_yrkescenter,
]

for _module in pkgutil.iter_modules(sweep_rules.__path__):
    _rules_module = importlib.import_module(f"{sweep_rules.__name__}.{_module.name}")
    _clash = set(RULES) & set(_rules_module.RULES)
    assert not _clash, f"{_module.name} classifies {_clash} again"
    RULES.update(_rules_module.RULES)
    PLANTERS.extend(getattr(_rules_module, "PLANTERS", []))


def plant(region: Region) -> dict[str, models.Model]:
    objects: dict[str, models.Model] = {}
    for planter in PLANTERS:
        objects.update(planter(region, objects))
    return objects


# --- the world the sweep runs in ---

HOME_HOST = "hemland.example.test"
FOREIGN_HOST = "bortland.example.test"


@dataclass
class World:
    home: dict[str, models.Model]
    foreign: dict[str, models.Model]
    users: dict[Role, User]


@pytest.fixture
def world(db) -> World:
    home_region = RegionFactory(slug="hemland", name="Hemland")
    RegionHostFactory(region=home_region, host=HOME_HOST)
    foreign_region = RegionFactory(slug="bortland", name="Bortland")
    RegionHostFactory(region=foreign_region, host=FOREIGN_HOST)
    home = plant(home_region)
    foreign = plant(foreign_region)
    users = {}
    for role in Role:
        scope = {}
        if role in (Role.RECTOR, Role.COUNSELLOR):
            scope["scope_municipality"] = home[Municipality._meta.label_lower]
        if role == Role.COORDINATOR:
            scope["scope_centre"] = home[Yrkescenter._meta.label_lower]
        membership = MembershipFactory(region=home_region, role=role, **scope)
        enrol_totp(membership.user)
        EmailAddress.objects.create(
            user=membership.user, email=membership.user.email, verified=True, primary=True
        )
        users[role] = membership.user
    return World(home=home, foreign=foreign, users=users)


def _fingerprint() -> dict[str, list[dict]]:
    """Every row of every table but sessions (they change on every request by design) and the
    audit log's records of who saw what (reading a page is meant to add those)."""
    rows = {}
    for model in apps.get_models():
        if model is Session:
            continue
        queryset = model._default_manager.order_by("pk")
        if model is AuditEntry:
            queryset = queryset.exclude(action__endswith=".view")
        rows[model._meta.label] = list(queryset.values())
    return rows


def _url(pattern: Pattern, rule_: Rule, obj: models.Model | None, missing: bool = False) -> str:
    kwargs = dict(rule_.kwargs)
    names = [c for c in pattern.converters if c not in kwargs]
    if names:
        assert obj is not None, f"{pattern.key} takes {names} but its rule names no object"
        pk = 10**9 if missing else obj.pk
        if "content_type_id" in names:
            kwargs["content_type_id"] = str(ContentType.objects.get_for_model(obj).pk)
            kwargs["object_id"] = str(pk)
        else:
            (only,) = names
            kwargs[only] = pk
    if pattern.name:
        return reverse(pattern.name, kwargs=kwargs)
    return reverse_unnamed(pattern, kwargs)


def reverse_unnamed(pattern: Pattern, kwargs: dict) -> str:
    route = pattern.route
    if "(?P<url>" in route:
        return "/admin/" + kwargs["url"]
    if "<path:object_id>" in route:
        route = route.replace("<path:object_id>", str(kwargs["object_id"]))
    return "/" + route


def _client(host: str, user: User | None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


def _final(response) -> tuple[int, str]:
    path = (
        response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]
    )
    return response.status_code, path.split("?")[0]


def _get(client: Client, url: str) -> tuple[int, str]:
    return _final(client.get(url, follow=True))


def _text(response) -> str:
    """What the response shows or hands over: the page, or a download (CSV, PDF, the XML inside
    an XLSX), as text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body.decode("utf-8", errors="replace")


LOGIN_PATH = "/accounts/login/"
# What a form post might carry: the admin's save button, a confirmation, a deletion.
POST_DATA = {"post": "yes", "_save": "1", "name": "changed", "action": "delete_selected"}

SWEPT = [p for p in PATTERNS if p.key in RULES]


@pytest.mark.parametrize("pattern", SWEPT, ids=[p.key for p in SWEPT])
def test_sweep(pattern: Pattern, world: World):
    rule_ = RULES[pattern.key]
    home_obj = world.home.get(rule_.obj) if rule_.obj else None
    foreign_obj = world.foreign.get(rule_.obj) if rule_.obj else None
    if rule_.obj:
        assert home_obj is not None and foreign_obj is not None, (
            f"no planted {rule_.obj}: add it to a planter in PLANTERS"
        )
    home_url = _url(pattern, rule_, home_obj)

    # Anonymous users: sent to login, except on public pages.
    anonymous = _client(HOME_HOST, None)
    status, path = _get(anonymous, home_url)
    if rule_.access == PUBLIC:
        assert path != LOGIN_PATH or pattern.name == "account_login", (
            f"{pattern.key}: a public page sent an anonymous user to login"
        )
        expected = (404,) if rule_.owner_only else rule_.ok
        assert status in expected, f"{pattern.key}: anonymous got {status}"
    else:
        assert (status, path) == (200, LOGIN_PATH), (
            f"{pattern.key}: anonymous got {status} at {path}, not the login page"
        )

    # Log everyone in first: a login writes last_login, which is not what the sweep looks for.
    home_clients = {role: _client(HOME_HOST, user) for role, user in world.users.items()}
    abroad_clients = {role: _client(FOREIGN_HOST, user) for role, user in world.users.items()}
    before = _fingerprint()
    for role in world.users:
        client = home_clients[role]
        abroad = abroad_clients[role]
        response = client.get(home_url, follow=True)
        status, path = _final(response)
        # Skyddade personuppgifter: none of the sweep's users is a named intake officer.
        assert PROTECTED_NAME not in _text(response), (
            f"{pattern.key}: {role} sees a person with protected personal data"
        )
        assert path != LOGIN_PATH or pattern.name in {"account_login", "admin:login"}, (
            f"{pattern.key}: {role} was sent to login"
        )
        if rule_.owner_only:
            missing_url = _url(pattern, rule_, home_obj, missing=True)
            missing_status, missing_path = _get(client, missing_url)
            # The two URLs differ in the pk, so an answer without a redirect (a 404, a 403)
            # ends at its own URL; only where a redirect leads must be the same.
            stayed = path == home_url.split("?")[0] and missing_path == missing_url.split("?")[0]
            assert status == missing_status and (stayed or path == missing_path), (
                f"{pattern.key}: {role} tells someone else's object from a missing one"
            )
        elif rule_.permits(role):
            assert status in rule_.ok, f"{pattern.key}: {role} got {status}, wanted {rule_.ok}"
        else:
            assert status in (403, 404), f"{pattern.key}: {role} got {status}, wanted 403/404"

        if rule_.obj is None:
            # From a foreign region the same user has no role at all.
            foreign_status, _ = _get(abroad, home_url)
            if rule_.access in (ROLES, ADMIN, SUPERUSER):
                assert foreign_status in (403, 404), (
                    f"{pattern.key}: {role} of another region got {foreign_status}"
                )
            continue

        # A foreign object answers exactly like a missing one, and that is a 404 for
        # anyone the page is otherwise open to.
        foreign_url = _url(pattern, rule_, foreign_obj)
        missing_url = _url(pattern, rule_, foreign_obj, missing=True)
        foreign_status, _ = _get(client, foreign_url)
        missing_status, _ = _get(client, missing_url)
        assert foreign_status == missing_status, (
            f"{pattern.key}: {role} tells a foreign object ({foreign_status}) from a missing "
            f"one ({missing_status})"
        )
        if rule_.permits(role) and not rule_.owner_only:
            assert foreign_status == 404, f"{pattern.key}: {role} got {foreign_status} abroad"

        # The home object seen from the foreign region's host is foreign there.
        assert _get(abroad, home_url)[0] == _get(abroad, missing_url)[0], (
            f"{pattern.key}: {role} tells a home object through the foreign host from a missing one"
        )
        if not rule_.owner_only:
            assert _get(abroad, home_url)[0] in (403, 404), (
                f"{pattern.key}: {role} reached a home object through the foreign host"
            )

        # POSTs to foreign objects change nothing (the rows are compared once, after all roles).
        post_status = client.post(foreign_url, POST_DATA, follow=True).status_code
        missing_post = client.post(missing_url, POST_DATA, follow=True).status_code
        assert post_status == missing_post, f"{pattern.key}: POST by {role}: {post_status}"
        if not rule_.owner_only:
            assert post_status in (403, 404, 405), f"{pattern.key}: POST by {role}: {post_status}"
    assert _fingerprint() == before, f"{pattern.key}: a request changed stored rows"
