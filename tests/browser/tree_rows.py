"""Locators for the sidebar tree (WAI-ARIA tree pattern): a collection or folder is a
`.node[role=treeitem]` named by its aria-label, holding its row (`.item`: caret, name, actions)
and, while expanded, its children (`.children[role=group]`).

    tree_row(page, "HTTP tour").click()                           # open or close the collection
    tree_menu(page, "1 · Methods and query", "folder").click()    # its ⋯ menu
"""

from __future__ import annotations

import json
from typing import Any


def tree_node(scope: Any, name: str, kind: str = "collection") -> Any:
    """The collection's or folder's tree item named `name` (exactly), under `scope` (a page or a locator)."""
    return scope.locator(f".node.{kind}[aria-label={json.dumps(name, ensure_ascii=False)}]")


def tree_row(scope: Any, name: str, kind: str = "collection") -> Any:
    """The row of that collection or folder: a click opens or closes it."""
    return tree_node(scope, name, kind).locator(":scope > .item")


def tree_menu(scope: Any, name: str, kind: str = "collection") -> Any:
    """The ⋯ button of that collection's or folder's row."""
    return tree_row(scope, name, kind).locator(".item-menu > summary")
