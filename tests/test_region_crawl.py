"""Two regions loaded from their shipped files side by side (Värmland, industry; Östmark, care,
the example of docs/regions.md), each with one object of every model planted by the URL sweep's
planters: every page that each role of one region reaches by following links from its start
pages shows none of the other region's names, and a round in one region changes no row of the
other.

The URL sweep (tests/test_url_sweep.py) proves each URL answers a foreign object with a 404; this
crawl proves what the pages a user can actually reach show, lists and exports included."""

from __future__ import annotations

import html
import re
from collections import Counter, deque

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Region, RegionHost, Role, User
from accounts.region_files import region_file_read
from accounts.services import region_load
from tests.admissions.round_support import apply, officer, period_with_offerings, run_and_publish
from tests.factories import MembershipFactory, RegionFactory, enrol_totp
from tests.test_url_sweep import _text, plant
from yrkescenter.models import Municipality, Yrkescenter

HOSTS = {"varmland": "varmland.example.test", "ostmark": "ostmark.example.test"}
# Most pages a role may visit (breadth first from its start pages), and the most URLs that share
# one path (the pages of a list, its filters), so the crawl stays bounded.
PAGE_LIMIT = 150
PER_PATH_LIMIT = 3
# Logging out ends the crawl's session; static files and the language switch show no data.
SKIPPED = ("/accounts/logout/", "/static/", "/i18n/")
HREF = re.compile(r"""(?:href|hx-get)\s*=\s*["']([^"']+)["']""")
# Shorter strings (codes, "Ja") can occur in any region's pages by chance.
MIN_NAME_LENGTH = 6


def _strings(obj: models.Model) -> set[str]:
    return {
        value.strip()
        for field in obj._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and field.name not in {"password", "host", "slug", "code", "language"}
        and isinstance(value := getattr(obj, field.attname), str)
        and len(value.strip()) >= MIN_NAME_LENGTH
    }


def _vocabulary() -> set[str]:
    """The labels of every field's choices (sectors, statuses): the same words in every region,
    which a region's own data may also use (a validation standard's branch "Vård och omsorg")."""
    labels = set()
    for language in ("sv", "en"):
        with translation.override(language):
            labels |= {
                str(label)
                for model in apps.get_models()
                for field in model._meta.fields
                for _value, label in (field.flatchoices or [])
            }
    return labels


def _region_names(region: Region, planted: dict[str, models.Model]) -> set[str]:
    """The names a page of this region may show: what its region file loaded (every row of a
    model with a region field) and what the planters made."""
    names = set()
    for model in apps.get_models():
        if "region" not in {f.name for f in model._meta.fields}:
            continue
        for obj in model._default_manager.filter(region=region):
            names |= _strings(obj)
    for obj in planted.values():
        names |= _strings(obj)
    # Each region holds the national list of municipalities (applicants from anywhere in
    # Sweden), shown as "Karlstad (1780)"; only a region's own made-up ones tell it apart.
    names |= {str(m) for m in Municipality.objects.for_region(region)}
    return names


def _users(region: Region) -> dict[Role, User]:
    municipality = Municipality.objects.for_region(region).filter(is_party=True).first()
    municipality = municipality or Municipality.objects.for_region(region).first()
    centre = Yrkescenter.objects.for_region(region).first()
    users = {}
    for role in Role:
        scope = {}
        if role in (Role.RECTOR, Role.COUNSELLOR):
            scope["scope_municipality"] = municipality
        if role == Role.COORDINATOR:
            scope["scope_centre"] = centre
        membership = MembershipFactory(region=region, role=role, **scope)
        enrol_totp(membership.user)
        EmailAddress.objects.create(
            user=membership.user, email=membership.user.email, verified=True, primary=True
        )
        users[role] = membership.user
    return users


def _crawl(client: Client) -> dict[str, str]:
    """Every page reachable by links from the start pages: URL -> what it showed."""
    pages: dict[str, str] = {}
    queued = {"/", reverse("accounts:start")}
    queue = deque(sorted(queued))
    per_path: Counter[str] = Counter()
    while queue and len(pages) < PAGE_LIMIT:
        url = queue.popleft()
        response = client.get(url, follow=True)
        pages[url] = text = _text(response)
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(text):
            link = html.unescape(href).split("#")[0]
            path = link.split("?")[0]
            if (
                not link.startswith("/")
                or link.startswith("//")
                or link.startswith(SKIPPED)
                or link in queued
                or per_path[path] >= PER_PATH_LIMIT
            ):
                continue
            queued.add(link)
            per_path[path] += 1
            queue.append(link)
    return pages


@pytest.fixture
def regions(db, settings):
    loaded, planted = {}, {}
    for slug, host in HOSTS.items():
        # Planted first: the region file then updates what a region has one of (its intake
        # office) and adds the rest beside the planted objects.
        region = RegionFactory(slug=slug)
        planted[slug] = plant(region)
        loaded[slug] = region_load(acting_user=None, data=region_file_read(slug)).region
        assert loaded[slug] == region
        RegionHost.objects.create(region=region, host=host)
        for obj in planted[slug].values():
            obj.refresh_from_db()
    return loaded, planted


def test_both_shipped_regions_load_side_by_side_and_keep_their_own_rows(regions):
    loaded, _planted = regions
    varmland, ostmark = loaded["varmland"], loaded["ostmark"]
    assert Yrkescenter.objects.for_region(varmland).filter(name__contains="Karlstad").exists()
    assert set(Yrkescenter.objects.for_region(ostmark).values_list("name", flat=True)) >= {
        "Vårdcentrum Solvik",
        "Omsorgscentrum Granhed",
    }


def test_no_page_any_role_reaches_shows_the_other_regions_names(regions):
    loaded, planted = regions
    users = {slug: _users(region) for slug, region in loaded.items()}
    vocabulary = _vocabulary()
    names = {
        slug: _region_names(region, planted[slug]).union(
            *(_strings(user) for user in users[slug].values())
        )
        for slug, region in loaded.items()
    }
    for slug in loaded:
        (other,) = set(loaded) - {slug}
        # A foreign name inside one of this region's own (the same surname made by two
        # factories) tells nothing; every other one on a page is a leak.
        foreign = {n for n in names[other] - vocabulary if not any(n in own for own in names[slug])}
        own = {n for n in names[slug] if not any(n in theirs for theirs in names[other])}
        assert len(foreign) > 20 and len(own) > 20, "too few names to tell the regions apart"
        seen_own = set()
        for role, user in users[slug].items():
            client = Client(HTTP_HOST=HOSTS[slug])
            client.force_login(user)
            pages = _crawl(client)
            assert len(pages) >= 2, f"{slug} {role}: the crawl reached nothing"
            for url, text in pages.items():
                shown = [n for n in foreign if n in text or html.escape(n) in text]
                assert not shown, f"{slug} {role} at {url} shows {other}'s {shown[:5]}"
                seen_own |= {n for n in own if n in text or html.escape(n) in text}
        # The crawl must see the region's own names, or it proves nothing about the other's.
        assert len(seen_own) >= 10, f"{slug}: the crawl saw only {sorted(seen_own)}"


def _rows_of(region: Region, planted: dict[str, models.Model]) -> dict[str, list]:
    rows = {}
    for model in apps.get_models():
        if "region" in {f.name for f in model._meta.fields}:
            queryset = model._default_manager.filter(region=region).order_by("pk")
            rows[model._meta.label] = [model_to_dict(obj) for obj in queryset]
    for key, obj in planted.items():
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        rows[f"planted {key}"] = fresh and model_to_dict(fresh)
    return rows


def test_a_round_in_one_region_leaves_the_other_untouched(regions):
    loaded, planted = regions
    varmland, ostmark = loaded["varmland"], loaded["ostmark"]
    before = _rows_of(ostmark, planted["ostmark"])
    user = officer(varmland)
    period, (welding, electrics) = period_with_offerings(varmland, 2, 1)
    for _ in range(4):
        apply(varmland, period, user, welding, electrics)
    admission_round = run_and_publish(varmland, period, user)
    assert admission_round.results.exists() and admission_round.offers.exists()
    assert _rows_of(ostmark, planted["ostmark"]) == before
