"""Which links of the main menu each role sees, and how they are grouped.

The one place that decides it, so that templates/includes/nav.html only draws what it is given and
tests/accounts/test_menu.py can state each role's menu. A link is added when its role's first page
exists. Hiding a link is a courtesy, not a control: the view still checks the role
(accounts.permissions.role_required).

Grouping keeps a long menu scannable: the links are grouped by what the work is about, and a group
is drawn as a disclosure that opens a list. Two rules keep it predictable per role: a role with only
a few links of its own sees them all as plain links, and a group a role has one link in is that
plain link, not a menu of one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

register = template.Library()

# A role with fewer links of its own than this sees them all as plain links (an applicant, a
# rector, an assessor, a company contact): a menu would only hide what fits on a line anyway.
GROUP_FROM = 4


@dataclass(frozen=True)
class Group:
    key: str  # the id of the group's list is site-nav-<key>
    label: str | Promise


ADMISSIONS = Group("admissions", _("Admissions"))
GRANT = Group("grant", _("Grant and costs"))
VALIDATION = Group("validation", _("Validation"))
# APL places, follow-up of jobs, competence needs and the council's dashboards: the work with
# employers. Not "Industry council": a centre coordinator uses it too and is not on the council.
WORKING_LIFE = Group("working-life", _("Working life"))
ADMINISTRATION = Group("administration", _("Administration"))
GROUPS = (ADMISSIONS, GRANT, VALIDATION, WORKING_LIFE, ADMINISTRATION)


@dataclass(frozen=True)
class Link:
    """A menu link, and when it is marked as where the user is.

    On the page the link names it is aria-current="page"; on the pages under it (a view name in
    `current_names`, or starting with one of `current_prefixes`) it is aria-current="true".
    """

    label: str | Promise
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user (public links: everyone)
    group: Group | None = None
    current_names: tuple[str, ...] = ()
    current_prefixes: tuple[str, ...] = ()
    marks_current: bool = True

    def current(self, view_name: str | None) -> str:
        if not view_name or not self.marks_current:
            return ""
        if view_name == self.url_name:
            return "page"
        if view_name in self.current_names or view_name.startswith(self.current_prefixes):
            return "true"
        return ""


def _roles(*roles: Role) -> frozenset[str]:
    return frozenset(str(role) for role in roles)


PUBLIC_LINKS = (
    Link(
        _("Courses"),
        "yrkescenter:offering_list",
        None,
        current_names=("yrkescenter:offering_detail",),
    ),
    Link(
        _("Vocational centres"),
        "yrkescenter:centre_list",
        None,
        current_names=("yrkescenter:centre_detail",),
    ),
)

# In the order they are drawn, within their groups.
SIGNED_IN_LINKS = (
    Link(_("My pages"), "accounts:start", None),
    Link(
        _("Applications"),
        "admissions:intake_queue",
        _roles(Role.INTAKE_OFFICER, Role.REGION_ADMIN, Role.COUNSELLOR, Role.COORDINATOR),
        ADMISSIONS,
        current_prefixes=("admissions:intake",),
    ),
    Link(
        _("Appeals"),
        "admissions:appeal_queue",
        _roles(Role.INTAKE_OFFICER),
        ADMISSIONS,
        current_prefixes=("admissions:appeal_queue", "admissions:appeal_review"),
        current_names=(
            "admissions:appeal_reconsider",
            "admissions:appeal_forward",
            "admissions:appeal_case_file",
            "admissions:appeal_board_decision",
        ),
    ),
    Link(
        _("Import/export"),
        "admissions:transfer_index",
        _roles(Role.INTAKE_OFFICER, Role.REGION_ADMIN),
        ADMISSIONS,
        current_prefixes=("admissions:transfer",),
    ),
    Link(
        _("Admission rounds"),
        "admissions:round_list",
        _roles(Role.INTAKE_OFFICER, Role.REGION_ADMIN),
        ADMISSIONS,
        current_prefixes=("admissions:round",),
    ),
    Link(
        _("Students"),
        "admissions:enrolment_index",
        _roles(Role.COORDINATOR, Role.INTAKE_OFFICER, Role.REGION_ADMIN),
        ADMISSIONS,
        current_prefixes=("admissions:enrolment",),
    ),
    Link(
        _("State grant"),
        "admissions:allocation_index",
        _roles(Role.RECTOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER),
        GRANT,
        current_prefixes=("admissions:allocation",),
    ),
    Link(
        _("Cost settlement"),
        "admissions:settlement_index",
        _roles(Role.RECTOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER),
        GRANT,
        current_prefixes=("admissions:settlement",),
    ),
    Link(
        _("Validation"),
        "validation:case_queue",
        _roles(Role.ASSESSOR, Role.REGION_ADMIN),
        VALIDATION,
        current_names=(
            "validation:case_detail",
            "validation:case_new",
            "validation:case_certificates",
        ),
    ),
    Link(
        _("Calendar"),
        "validation:calendar",
        _roles(Role.ASSESSOR, Role.REGION_ADMIN),
        VALIDATION,
    ),
    Link(
        _("Validation follow-up"),
        "validation:stats",
        _roles(Role.ASSESSOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER),
        VALIDATION,
    ),
    Link(
        _("Dashboards"),
        "industriradet:dashboards",
        _roles(Role.COUNCIL_MEMBER, Role.REGION_ADMIN),
        WORKING_LIFE,
        current_names=("industriradet:dashboard",),
    ),
    Link(_("My company"), "industriradet:company_home", _roles(Role.COMPANY_CONTACT)),
    Link(
        _("Competence needs"),
        "industriradet:needs_list",
        _roles(Role.COMPANY_CONTACT, Role.COUNCIL_MEMBER, Role.REGION_ADMIN),
        WORKING_LIFE,
        current_prefixes=("industriradet:need_", "industriradet:needs_import"),
    ),
    # A company contact offers APL places; a coordinator books them for students.
    Link(
        _("APL places"),
        "industriradet:apl_offers",
        _roles(Role.COMPANY_CONTACT),
        WORKING_LIFE,
        current_prefixes=("industriradet:apl_offer",),
    ),
    Link(
        _("APL places"),
        "industriradet:apl_places",
        _roles(Role.COORDINATOR),
        WORKING_LIFE,
        current_names=("industriradet:apl_book",),
    ),
    Link(
        _("Follow-up"),
        "industriradet:outcome_list",
        _roles(Role.COORDINATOR, Role.REGION_ADMIN),
        WORKING_LIFE,
        current_prefixes=("industriradet:outcome",),
    ),
    Link(
        _("My application"),
        "admissions:my_applications",
        _roles(Role.APPLICANT),
        current_names=(
            "admissions:application_detail",
            "admissions:application_step",
            "admissions:application_receipt",
            "admissions:application_withdraw",
            "admissions:completion_answer",
            "admissions:appeal_lodge",
            "admissions:appeal_detail",
        ),
    ),
    Link(_("My validations"), "validation:my_validations", _roles(Role.APPLICANT)),
    Link(
        _("Region terms"),
        "yrkescenter:region_terms",
        _roles(Role.REGION_ADMIN),
        ADMINISTRATION,
    ),
    Link(
        _("Audit log"),
        "accounts:audit_log",
        _roles(Role.REGION_ADMIN),
        ADMINISTRATION,
    ),
    Link(
        _("Access log"),
        "admissions:access_log",
        _roles(Role.REGION_ADMIN),
        ADMINISTRATION,
    ),
    # Django's admin draws its own layout without this menu, so the link is never marked.
    Link(
        _("Administration"),
        "admin:index",
        _roles(Role.REGION_ADMIN),
        ADMINISTRATION,
        marks_current=False,
    ),
)


@dataclass(frozen=True)
class MenuLink:
    label: str | Promise
    url: str
    current: str  # "page", "true" or "" (the value of aria-current)


@dataclass(frozen=True)
class MenuGroup:
    label: str | Promise
    id: str
    links: tuple[MenuLink, ...]

    @property
    def current(self) -> bool:
        """The group holds the link to the page the user is on, or to a page above it."""
        return any(link.current for link in self.links)


def links_for(*, signed_in: bool, role: str | None) -> list[Link]:
    """The links a visitor or a signed-in user with this role (None: no role here) sees."""
    links = list(PUBLIC_LINKS)
    if signed_in:
        links += [link for link in SIGNED_IN_LINKS if link.roles is None or role in link.roles]
    return links


def menu_for(
    *, signed_in: bool, role: str | None, view_name: str | None
) -> list[MenuLink | MenuGroup]:
    """The menu in the order drawn: plain links first, then the groups in the order of GROUPS,
    a group of one link drawn as that link."""
    links = links_for(signed_in=signed_in, role=role)
    own = [link for link in links if link.roles is not None]
    grouped = len(own) >= GROUP_FROM

    def drawn(link: Link) -> MenuLink:
        return MenuLink(link.label, reverse(link.url_name), link.current(view_name))

    items: list[MenuLink | MenuGroup] = []
    members: dict[Group, list[Link]] = {group: [] for group in GROUPS}
    for link in links:
        if grouped and link.group is not None:
            members[link.group].append(link)
        else:
            items.append(drawn(link))
    for group, group_links in members.items():
        if len(group_links) == 1:
            items.append(drawn(group_links[0]))
        elif group_links:
            links_drawn = tuple(drawn(link) for link in group_links)
            items.append(MenuGroup(group.label, f"site-nav-{group.key}", links_drawn))
    return items


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[MenuLink | MenuGroup]:
    """{% main_menu as menu %}: the menu of the user and role of this request."""
    request = context.get("request")
    user = context.get("user")
    membership = context.get("membership")
    match = getattr(request, "resolver_match", None)
    return menu_for(
        signed_in=bool(user and user.is_authenticated),
        role=membership.role if membership else None,
        view_name=match.view_name if match else None,
    )
