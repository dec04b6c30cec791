"""Template tags of the shared list component (chancery/lists.py, web/_table.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def row_attrs(row: Any) -> str:
    """A row's ``class`` and ``data-*`` attributes from its table's ``row_class`` and
    ``row_data`` (django-tables2's own row attributes add even/odd classes we do not use)."""
    table, record = row.table, row.record
    css = table.row_class(record)
    out = format_html(' class="{}"', css) if css else mark_safe("")
    data = table.row_data(record)
    if data:
        out += format_html_join("", ' data-{}="{}"', sorted(data.items()))
    return out
