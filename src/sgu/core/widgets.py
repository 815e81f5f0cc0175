"""Widgets rendered in Python where Django's template rendering is the cost of a hot page.

Django renders a <select> with one template per <option> (≈ 0.1 ms each): the regulator's
tray filters, ≈ 60 options, spent ≈ 4 ms of every full page on it (docs/benchmarks.md,
"Bandeja a 10 millones"). `QuickSelect` writes the same HTML (same context, same attributes,
same escaping; tests/core/test_widgets.py compares both) without the templates.
"""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SELECTED = {"selected": True}


class QuickSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget)}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(group_name)}">')
            parts.extend(
                f'<option value="{escape(o["value"])}"{_attrs(o)}>{escape(o["label"])}</option>'
                for o in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def _attrs(widget: dict[str, Any]) -> str:
    # As Django's attrs.html: True is a bare attribute, False is left out. An <option>'s are
    # nearly always {} or {"selected": True}: those without flatatt's sort and format.
    attrs = widget["attrs"]
    if not attrs:
        return ""
    if attrs == SELECTED:
        return " selected"
    return flatatt(attrs)
