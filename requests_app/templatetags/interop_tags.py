"""Template helpers of the import/export pieces of the page.

Usage::

    {% load interop_tags %}
    {% snippet_languages as languages %}      {# [("curl", "cURL"), ("python-urllib", ...), ...] #}
    {{ report.counts|import_summary }}        {# "1 collection, 4 folders, 13 requests" #}
"""

from __future__ import annotations

from django import template

from requests_app.interop.snippets import SNIPPET_LANGUAGES

register = template.Library()

_COUNTED = (("collections", "collection"), ("folders", "folder"), ("requests", "request"),
            ("environments", "environment"))


@register.simple_tag
def snippet_languages() -> list[tuple[str, str]]:
    return list(SNIPPET_LANGUAGES.items())


@register.filter
def import_summary(counts: dict[str, int]) -> str:
    """What an import created, in words; the kinds it created none of are left out."""
    parts = [f"{counts[key]} {name}{'' if counts[key] == 1 else 's'}" for key, name in _COUNTED if counts.get(key)]
    return ", ".join(parts) or "nothing"
