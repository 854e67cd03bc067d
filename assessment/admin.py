"""Administrators build the indicator systems here: a system, its categories, their items (the formula
picked from the list of ``assessment.formulas``), and the periods."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .formulas import formula_choices
from .models import Category, Item, Period, System


class ItemForm(forms.ModelForm):
    formula = forms.ChoiceField(label=_("formula"), required=False, choices=())

    class Meta:
        model = Item
        fields = ["category", "name", "order", "points", "method", "formula", "params", "is_veto", "evidence_required",
                  "standard"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["formula"].choices = [("", "—"), *formula_choices()]

    def clean(self):
        data = super().clean()
        if data.get("method") == "formula" and not data.get("formula"):
            self.add_error("formula", _("Pick the formula that scores this item."))
        return data


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


class ItemInline(admin.TabularInline):
    model = Item
    form = ItemForm
    extra = 0


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["name", "place"]
    raw_id_fields = ["place"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "system", "points", "order"]
    list_filter = ["system"]
    inlines = [ItemInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "system", "place", "start", "end", "status"]
    list_filter = ["status", "system"]
    raw_id_fields = ["place"]
