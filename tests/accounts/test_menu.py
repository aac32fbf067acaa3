"""The main menu: each role keeps exactly the links and aria-current rules it had as a flat list,
now grouped by the work they are about, with few or no groups for roles with few links."""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from accounts.models import Role
from accounts.templatetags.main_menu import SIGNED_IN_LINKS, MenuGroup, MenuLink, menu_for
from tests.factories import MembershipFactory, enrol_totp

PUBLIC = [
    ("Courses", "yrkescenter:offering_list"),
    ("Vocational centres", "yrkescenter:centre_list"),
]
MY_PAGES = ("My pages", "accounts:start")

# Each role's menu as drawn: a (label, url name) pair is a plain link, a (label, [pairs]) pair is
# a group. The links per role are those of the flat menu before grouping.
MENUS = {
    Role.APPLICANT: [
        *PUBLIC,
        MY_PAGES,
        ("My application", "admissions:my_applications"),
        ("My validations", "validation:my_validations"),
    ],
    Role.COMPANY_CONTACT: [
        *PUBLIC,
        MY_PAGES,
        ("My company", "industriradet:company_home"),
        ("Competence needs", "industriradet:needs_list"),
        ("APL places", "industriradet:apl_offers"),
    ],
    Role.COUNSELLOR: [*PUBLIC, MY_PAGES, ("Applications", "admissions:intake_queue")],
    Role.RECTOR: [
        *PUBLIC,
        MY_PAGES,
        ("State grant", "admissions:allocation_index"),
        ("Cost settlement", "admissions:settlement_index"),
    ],
    Role.ASSESSOR: [
        *PUBLIC,
        MY_PAGES,
        ("Validation", "validation:case_queue"),
        ("Calendar", "validation:calendar"),
        ("Validation follow-up", "validation:stats"),
    ],
    Role.INTAKE_OFFICER: [
        *PUBLIC,
        MY_PAGES,
        (
            "Admissions",
            [
                ("Applications", "admissions:intake_queue"),
                ("Appeals", "admissions:appeal_queue"),
                ("Import/export", "admissions:transfer_index"),
                ("Admission rounds", "admissions:round_list"),
                ("Students", "admissions:enrolment_index"),
            ],
        ),
    ],
    Role.COORDINATOR: [
        *PUBLIC,
        MY_PAGES,
        (
            "Admissions",
            [
                ("Applications", "admissions:intake_queue"),
                ("Students", "admissions:enrolment_index"),
            ],
        ),
        (
            "Working life",
            [
                ("APL places", "industriradet:apl_places"),
                ("Follow-up", "industriradet:outcome_list"),
            ],
        ),
    ],
    Role.COUNCIL_MEMBER: [
        *PUBLIC,
        MY_PAGES,
        (
            "Grant and costs",
            [
                ("State grant", "admissions:allocation_index"),
                ("Cost settlement", "admissions:settlement_index"),
            ],
        ),
        # The only link of its group: a plain link, not a menu of one.
        ("Validation follow-up", "validation:stats"),
        (
            "Working life",
            [
                ("Dashboards", "industriradet:dashboards"),
                ("Competence needs", "industriradet:needs_list"),
            ],
        ),
    ],
    Role.REGION_ADMIN: [
        *PUBLIC,
        MY_PAGES,
        (
            "Admissions",
            [
                ("Applications", "admissions:intake_queue"),
                ("Import/export", "admissions:transfer_index"),
                ("Admission rounds", "admissions:round_list"),
                ("Students", "admissions:enrolment_index"),
            ],
        ),
        (
            "Grant and costs",
            [
                ("State grant", "admissions:allocation_index"),
                ("Cost settlement", "admissions:settlement_index"),
            ],
        ),
        (
            "Validation",
            [
                ("Validation", "validation:case_queue"),
                ("Calendar", "validation:calendar"),
                ("Validation follow-up", "validation:stats"),
            ],
        ),
        (
            "Working life",
            [
                ("Dashboards", "industriradet:dashboards"),
                ("Competence needs", "industriradet:needs_list"),
                ("Follow-up", "industriradet:outcome_list"),
            ],
        ),
        (
            "Administration",
            [
                ("Region terms", "yrkescenter:region_terms"),
                ("Audit log", "accounts:audit_log"),
                ("Access log", "admissions:access_log"),
                ("Administration", "admin:index"),
            ],
        ),
    ],
}

# When a link is aria-current="true" besides on its own page ("page"): the view names, and the
# beginnings of view names, of the pages under it. None: never marked (Django's admin).
UNDER = {
    "yrkescenter:offering_list": (["yrkescenter:offering_detail"], []),
    "yrkescenter:centre_list": (["yrkescenter:centre_detail"], []),
    "accounts:start": ([], []),
    "admissions:intake_queue": ([], ["admissions:intake"]),
    "admissions:appeal_queue": (
        [
            "admissions:appeal_reconsider",
            "admissions:appeal_forward",
            "admissions:appeal_case_file",
            "admissions:appeal_board_decision",
        ],
        ["admissions:appeal_queue", "admissions:appeal_review"],
    ),
    "admissions:transfer_index": ([], ["admissions:transfer"]),
    "admissions:round_list": ([], ["admissions:round"]),
    "admissions:enrolment_index": ([], ["admissions:enrolment"]),
    "admissions:allocation_index": ([], ["admissions:allocation"]),
    "admissions:settlement_index": ([], ["admissions:settlement"]),
    "validation:case_queue": (
        ["validation:case_detail", "validation:case_new", "validation:case_certificates"],
        [],
    ),
    "validation:calendar": ([], []),
    "validation:stats": ([], []),
    "industriradet:dashboards": (["industriradet:dashboard"], []),
    "industriradet:company_home": ([], []),
    "industriradet:needs_list": ([], ["industriradet:need_", "industriradet:needs_import"]),
    "industriradet:apl_offers": ([], ["industriradet:apl_offer"]),
    "industriradet:apl_places": (["industriradet:apl_book"], []),
    "industriradet:outcome_list": ([], ["industriradet:outcome"]),
    "admissions:my_applications": (
        [
            "admissions:application_detail",
            "admissions:application_step",
            "admissions:application_receipt",
            "admissions:application_withdraw",
            "admissions:completion_answer",
            "admissions:appeal_lodge",
            "admissions:appeal_detail",
        ],
        [],
    ),
    "validation:my_validations": ([], []),
    "yrkescenter:region_terms": ([], []),
    "accounts:audit_log": ([], []),
    "admissions:access_log": ([], []),
    "admin:index": None,
}


def drawn(items) -> list:
    """The menu as (label, url name) pairs, groups as (label, [pairs])."""
    names = {reverse(name): name for name in UNDER}

    def pair(link: MenuLink):
        return (str(link.label), names[link.url])

    return [
        (str(item.label), [pair(link) for link in item.links])
        if isinstance(item, MenuGroup)
        else pair(item)
        for item in items
    ]


def view_names() -> list[str]:
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(
                    pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                )
            elif pattern.name:
                yield prefix + pattern.name

    return sorted(set(walk(get_resolver())))


@pytest.mark.parametrize("role", MENUS)
def test_each_role_sees_its_links_grouped_by_the_work(role):
    assert drawn(menu_for(signed_in=True, role=role, view_name=None)) == MENUS[role]


def test_every_role_has_its_menu_stated():
    assert set(MENUS) == set(Role)


def test_a_visitor_sees_the_public_links_only():
    assert drawn(menu_for(signed_in=False, role=None, view_name=None)) == PUBLIC


def test_a_signed_in_user_without_a_role_here_sees_my_pages():
    assert drawn(menu_for(signed_in=True, role=None, view_name=None)) == [*PUBLIC, MY_PAGES]


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.COMPANY_CONTACT, Role.COUNSELLOR, Role.RECTOR, Role.ASSESSOR]
)
def test_a_role_with_three_links_of_its_own_or_fewer_sees_no_groups(role):
    items = menu_for(signed_in=True, role=role, view_name=None)
    assert not any(isinstance(item, MenuGroup) for item in items)


def test_every_link_keeps_its_aria_current_rule():
    names = view_names()
    assert {link.url_name for link in SIGNED_IN_LINKS} <= set(UNDER)
    url_names = {reverse(name): name for name in UNDER}
    for role in Role:
        for view_name in names:
            items = menu_for(signed_in=True, role=role, view_name=view_name)
            links = [link for item in items for link in getattr(item, "links", [item])]
            for link in links:
                url_name = url_names[link.url]
                rule = UNDER[url_name]
                if rule is None:
                    expected = ""
                elif view_name == url_name:
                    expected = "page"
                elif view_name in rule[0] or view_name.startswith(tuple(rule[1])):
                    expected = "true"
                else:
                    expected = ""
                assert link.current == expected, (role, view_name, url_name)


def test_the_rules_mark_the_pages_under_a_link():
    # A spot check that the rule table above is about real pages, not about names that never occur.
    names = view_names()
    assert "admissions:settlement_index" in names
    assert any(
        name.startswith("admissions:settlement") and name != "admissions:settlement_index"
        for name in names
    )
    items = menu_for(signed_in=True, role=Role.REGION_ADMIN, view_name="validation:case_detail")
    validation = next(
        item
        for item in items
        if str(getattr(item, "label", "")) == "Validation" and isinstance(item, MenuGroup)
    )
    assert [link.current for link in validation.links] == ["true", "", ""]


def test_a_group_is_current_when_it_holds_the_page_or_one_under_it():
    def current_groups(view_name):
        items = menu_for(signed_in=True, role=Role.REGION_ADMIN, view_name=view_name)
        return [str(item.label) for item in items if isinstance(item, MenuGroup) and item.current]

    assert current_groups("admissions:settlement_index") == ["Grant and costs"]
    assert current_groups("admissions:round_list") == ["Admissions"]
    assert current_groups("accounts:audit_log") == ["Administration"]
    assert current_groups("accounts:start") == []
    assert current_groups(None) == []


def admin_client(region, role=Role.REGION_ADMIN):
    membership = MembershipFactory(region=region, role=role)
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    return client


def test_the_page_draws_groups_as_disclosures_that_work_without_javascript(region):
    page = admin_client(region).get(reverse("accounts:audit_log")).content.decode()

    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count("<details>") == 5
    # The group holding the page is marked; so is the link, as before.
    administration = nav.split('id="site-nav-administration"', 1)[0].rsplit("<details>", 1)[1]
    assert 'aria-current="true"' in administration
    assert f'href="{reverse("accounts:audit_log")}" aria-current="page"' in nav
    assert nav.count('aria-current="true"') == 1
    assert 'src="/static/js/nav.js" defer' in page


def test_a_role_without_groups_gets_plain_links(region):
    page = admin_client(region, Role.ASSESSOR).get(reverse("accounts:start")).content.decode()

    assert "<details>" not in page
    assert f'<a class="site-nav__link" href="{reverse("validation:calendar")}">' in page
