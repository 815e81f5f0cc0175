"""Web forms that parse and render; the services validate.

A `ServiceForm` never refuses input on its own: every field is optional for Django, so the
rules live in one place (the service) and the web shows exactly the errors the API gives.
Fields declared `required=True` keep the HTML `required` attribute and the visual mark.
"""

from typing import Any

from django import forms

from sgu.core.errors import DomainError


class ServiceForm(forms.Form):
    # Service error field -> form field, for names that differ (e.g. "file" -> "attachments").
    error_aliases: dict[str, str] = {}
    # Service error fields whose name starts like this land on the form field of that name
    # (e.g. "attachments[2]" -> "attachments").
    error_prefixes: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._mark_required()

    def _mark_required(self) -> None:
        for field in self.fields.values():
            if field.required:
                field.required = False
                field.widget.attrs["required"] = True
                field.widget.attrs.setdefault("aria-required", "true")

    def value(self, name: str) -> str:
        """The submitted text of a field, stripped of nothing (the service cleans it)."""
        if not self.is_bound:
            initial = self.initial.get(
                name, self.fields[name].initial if name in self.fields else ""
            )
            return "" if initial is None else str(initial)
        value = self.data.get(self.add_prefix(name), "")
        return value if isinstance(value, str) else ""

    def form_field_for(self, error_field: str) -> str | None:
        name = self.error_aliases.get(error_field, error_field)
        if name in self.fields:
            return name
        for prefix in self.error_prefixes:
            if error_field.startswith(prefix) and prefix.rstrip("[.") in self.fields:
                return prefix.rstrip("[.")
        return None

    def apply_errors(self, exc: DomainError) -> None:
        """Show a service's refusal on the form: each field error next to its field."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if not exc.errors:
            self.add_error(None, exc.detail)
            return
        for error in exc.errors:
            name = self.form_field_for(error.field)
            self.add_error(name, error.message)

    def error_summary(self) -> list[tuple[str | None, str]]:
        """(anchor, message) pairs in field order, for the summary at the top of the form."""
        items: list[tuple[str | None, str]] = [(None, str(m)) for m in self.non_field_errors()]
        for bound in self:
            if not bound.errors:
                continue
            anchor = bound.auto_id
            if bound.widget_type in ("radioselect", "checkboxselectmultiple"):
                anchor = f"{bound.auto_id}_0"
            for message in bound.errors:
                items.append((f"#{anchor}", str(message)))
        return items


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class ParsedDateField(forms.CharField):
    """A date typed as AAAA-MM-DD (what <input type=date> sends); the service checks it."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
