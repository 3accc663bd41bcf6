"""Comparing two runs of the same target: which assertions changed status (fixed, broken, new, gone)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from requests_app.models import Run
from requests_app.services.errors import ValidationFailed
from requests_app.services.runs.reads import runs_for_user

NOT_COMPARABLE = "Only runs of the same target can be compared."


@dataclass
class AssertionChange:
    """One assertion whose outcome differs between two runs (None: it did not run there)."""

    iteration: int
    request: str
    assertion: str
    before: bool | None
    after: bool | None
    before_message: str = ""
    after_message: str = ""

    @property
    def change(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        return "fixed" if self.after else "broken"


@dataclass
class RunComparison:
    before: Run
    after: Run
    changes: list[AssertionChange]
    unchanged: int


def _same_target(a: Run, b: Run) -> bool:
    return (a.collection_id, a.folder_id, sorted(a.request_ids or [])) == (
        b.collection_id, b.folder_id, sorted(b.request_ids or [])
    )


def _assertion_outcomes(run: Run) -> dict[tuple[int, str, str, int], tuple[str, str, bool, str]]:
    """{(iteration, request key, assertion label, nth of that label): (request, label, passed, message)}."""
    outcomes: dict[tuple[int, str, str, int], tuple[str, str, bool, str]] = {}
    rows = run.results.order_by("iteration", "position", "id").values_list(
        "iteration", "saved_request_id", "name", "path", "assertions"
    )
    for iteration, saved_id, name, path, assertions in rows:
        request_key = str(saved_id) if saved_id is not None else f"{path}/{name}"
        request_label = f"{path} / {name}" if path else name
        seen: dict[str, int] = {}
        for item in assertions or []:
            label = " ".join(str(part) for part in (item.get("type"), item.get("target"), item.get("op")) if part)
            nth = seen[label] = seen.get(label, -1) + 1
            outcomes[(iteration, request_key, label, nth)] = (
                request_label, label, bool(item.get("passed")), str(item.get("message", ""))
            )
    return outcomes


def runs_of_same_target(*, user: AbstractBaseUser, run: Run, limit: int = 30) -> list[Run]:
    """Other runs of this run's target, newest first: what it can be compared with."""
    candidates = (
        runs_for_user(user, workspace=run.workspace)
        .filter(collection_id=run.collection_id, folder_id=run.folder_id)  # type: ignore[misc]  # None: IS NULL, a run of the whole collection
        .exclude(pk=run.pk)
    )
    if not run.request_ids:
        return list(candidates.filter(request_ids=[])[:limit])
    return [other for other in candidates[: limit * 4] if _same_target(run, other)][:limit]


def run_compare(*, run: Run, other: Run) -> RunComparison:
    """Which assertions changed status between two runs of the same target (older one first)."""
    if run.workspace_id != other.workspace_id or not _same_target(run, other):
        raise ValidationFailed.for_field("other", NOT_COMPARABLE, code="not_comparable")
    before, after = sorted((run, other), key=lambda r: (r.created_at, r.pk))
    old, new = _assertion_outcomes(before), _assertion_outcomes(after)
    changes: list[AssertionChange] = []
    unchanged = 0
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0], k[1], k[2], k[3])):
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and was[2] == now[2]:
            unchanged += 1
            continue
        shown = now or was
        assert shown is not None
        changes.append(
            AssertionChange(
                iteration=key[0],
                request=shown[0],
                assertion=shown[1],
                before=None if was is None else was[2],
                after=None if now is None else now[2],
                before_message=was[3] if was else "",
                after_message=now[3] if now else "",
            )
        )
    return RunComparison(before=before, after=after, changes=changes, unchanged=unchanged)
