"""admissions is split into one package per concern (applications, rounds, appeals, enrolment,
funding). The split moved code, not data: every model kept its app label and its table, so a
database filled under the old layout (one admissions/models.py) reads the same under the new
one, and no migration is needed (CI's `makemigrations --check` proves the last part)."""

import grimp
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import RegionFactory
from tests.test_url_sweep import plant

# The last migration written under the old layout.
OLD_LAYOUT = ("admissions", "0009_merge_0008_appeals_0008_protected_identity")
CONCERNS = {"applications", "rounds", "appeals", "enrolment", "funding"}


def _rows(model) -> set:
    return set(model._base_manager.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_database_filled_under_the_old_layout_keeps_every_row_and_table():
    executor = MigrationExecutor(connection)
    executor.migrate([OLD_LAYOUT])
    old_apps = executor.loader.project_state(OLD_LAYOUT).apps
    plant(RegionFactory())
    old_models = {m._meta.model_name: m for m in old_apps.get_app_config("admissions").get_models()}
    before = {name: _rows(model) for name, model in old_models.items()}

    call_command("migrate", verbosity=0)

    new_models = {m._meta.model_name: m for m in apps.get_app_config("admissions").get_models()}
    assert set(new_models) == set(old_models)
    for name, model in new_models.items():
        assert model.__module__.split(".")[1] in CONCERNS, model.__module__
        assert model._meta.db_table == old_models[name]._meta.db_table
        assert _rows(model) == before[name], name
    filled = {m.__module__.split(".")[1] for name, m in new_models.items() if before[name]}
    assert filled == CONCERNS, "every concern's tables hold planted rows"


@pytest.mark.parametrize(
    "app", ["accounts", "yrkescenter", "admissions", "validation", "industriradet"]
)
def test_no_module_imports_one_that_imports_it_back(app):
    """Import-linter's layers keep the apps and admissions' concerns in order; inside one a pair
    of modules that import each other is the knot the split undid (services <-> resources,
    settlement <-> its selectors), caught here. Imports for type checking only do not count."""
    graph = grimp.build_graph(app, cache_dir=None, exclude_type_checking_imports=True)
    pairs = {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if module in graph.find_modules_directly_imported_by(imported)
    }
    assert not pairs
