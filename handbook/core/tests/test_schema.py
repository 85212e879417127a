"""The schema writes no index twice: every index costs a write on each insert (a meeting day
inserts millions of rows) and disk for as long as the table lives."""

from django.apps import apps
from django.db import models


def _unique_leads(model) -> set[str]:
    leads = {
        c.fields[0]
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None  # a partial one serves less
    }
    return leads | {names[0] for names in model._meta.unique_together}


def test_no_column_has_an_index_of_its_own_when_a_unique_index_leads_with_it():
    redundant = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_app_configs()
        for model in model.get_models()
        if model.__module__.startswith("handbook.")
        for field in model._meta.fields
        if field.db_index and not field.unique and field.name in _unique_leads(model)
    ]
    assert redundant == [], "db_index=False: the unique index that starts with the column serves its look-ups"
