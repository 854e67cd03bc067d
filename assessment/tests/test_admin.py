"""Administrators build indicator systems in the admin: the item's formula is picked from the list."""

import pytest
from django.urls import reverse

from assessment.admin import ItemForm
from assessment.formulas import formula_choices

pytestmark = pytest.mark.django_db


def test_the_admin_pages_of_systems_categories_and_periods_open(client, world):
    client.force_login(world.users["root"])
    for name in ("assessment_system", "assessment_category", "assessment_period"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_a_formula_item_needs_a_formula_from_the_list():
    form = ItemForm(data={"name": "按期办结率", "order": 1, "points": "40", "method": "formula", "formula": "",
                          "params": "{}"})
    assert not form.is_valid() and "formula" in form.errors
    unknown = ItemForm(data={"name": "x", "order": 1, "points": "40", "method": "formula",
                             "formula": "no-such-formula", "params": "{}"})
    assert not unknown.is_valid() and "formula" in unknown.errors
    code = formula_choices()[0][0]
    known = ItemForm(data={"name": "x", "order": 1, "points": "40", "method": "formula", "formula": code,
                           "params": "{}"})
    assert "formula" not in known.errors
