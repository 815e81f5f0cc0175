from django import template

register = template.Library()


@register.filter
def late_on(row, today) -> bool:
    """An area's annual report still missing after its due day (or handed in late)."""
    return row.late(today)
