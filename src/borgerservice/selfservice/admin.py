"""Application forms in the Django admin: a form with its steps and questions on one page.

Add the steps first and save; then each question chooses its step. The whole form is
checked when it is saved (``validation.structure_errors``): question names unique, each
condition refers to an earlier question and one of its values, and a form with a rule
set asks every input of the rule set with a matching kind.

Submitted applications are not in the admin: they hold personal data and are read on
the case, under need-to-know and the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import FormDefinition, FormField, FormStep
from .validation import structure_errors


class FormStepInline(admin.StackedInline):
    model = FormStep
    extra = 0
    fields = ("position", "title_da", "title_en", "intro_da", "intro_en")
    ordering = ("position",)


class FieldFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        fields = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if not data.get("step") or not data.get("name"):
                continue
            fields.append(form.instance)
        problems = structure_errors(self.instance, fields)
        if problems:
            raise ValidationError(problems)


class FormFieldInline(admin.StackedInline):
    model = FormField
    formset = FieldFormSet
    extra = 0
    ordering = ("step__position", "position")
    fields = (
        ("step", "position"),
        ("name", "kind", "required"),
        ("label_da", "label_en"),
        ("hint_da", "hint_en"),
        "choices",
        ("min_value", "max_value"),
        ("max_length", "pattern"),
        "show_if",
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "step":
            form_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = FormStep.objects.filter(form_id=form_id or 0).order_by("position")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ("title_da", "service", "version", "active", "rule_set", "updated_at")
    list_filter = ("active", "service__department")
    search_fields = ("title_da", "title_en", "service__code", "service__name_da")
    autocomplete_fields = ("service",)
    inlines = (FormStepInline, FormFieldInline)
    fieldsets = (
        (None, {"fields": ("service", "version", "active", "rule_set")}),
        (
            _("Texts"),
            {
                "fields": (
                    "title_da",
                    "title_en",
                    "intro_da",
                    "intro_en",
                    "you_need_da",
                    "you_need_en",
                    "minutes",
                )
            },
        ),
    )
