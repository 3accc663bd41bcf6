"""Code snippets of a saved request or of the editor's unsaved state (secrets masked unless allowed)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from requests_app import access
from requests_app.engine.spec import RequestSpec, spec_to_dict
from requests_app.interop.snippets import SNIPPET_LANGUAGES, SnippetError, UnknownLanguage, generate_snippet
from requests_app.models import Collection, Environment, SavedRequest, Workspace
from requests_app.services.environments import environment_reveal_allowed, environment_values
from requests_app.services.errors import Forbidden, NotFound, ValidationFailed
from requests_app.services.inheritance import folder_chain, inherited_values, spec_with_inherited_auth, stored_spec
from requests_app.services.interop.exports import ensure_may_export_secrets
from requests_app.services.validation import REQUEST_PARTS

REVEAL_NOT_ALLOWED = "Only editors of this environment can see its secrets in a snippet."


# ---------------------------------------------------------------- snippets


def _secret_names(environment: Environment | None) -> set[str]:
    if environment is None:
        return set()
    return {row.get("key", "") for row in environment.variables if isinstance(row, dict) and row.get("secret")}


def spec_snippet(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    spec: RequestSpec,
    lang: str,
    collection: Collection | None = None,
    saved_request: SavedRequest | None = None,
    environment: Environment | None = None,
    resolve_variables: bool = False,
    reveal_secrets: bool = False,
) -> str:
    """Code that sends `spec` (e.g. the editor's unsaved state) in `lang` (SNIPPET_LANGUAGES).

    `saved_request`: the request `spec` is an edit of; auth "inherit" and variables then come
    from its folders and collection (services.inheritance), else from `collection`.
    With `resolve_variables`, collection, folder, then environment variables are filled in; secret
    ones stay `{{name}}` and typed credentials become placeholders ("$WEBCLIENT_PASSWORD" in
    shell commands, {{password}} elsewhere) unless `reveal_secrets` (editors and owners).
    """
    access.ensure_role(user, workspace, "read")
    chain = []
    if saved_request is not None:
        collection, chain = saved_request.collection, folder_chain(saved_request.folder)
    for obj, what in ((collection, "Collection"), (environment, "Environment")):
        if obj is not None and access.workspace_id_of(obj) != workspace.pk:
            raise NotFound(f"{what} not found in this workspace.")
    if lang not in SNIPPET_LANGUAGES:
        raise ValidationFailed.for_field("lang", f"must be one of {', '.join(SNIPPET_LANGUAGES)}")
    if reveal_secrets and environment is not None:
        if not environment_reveal_allowed(user=user, environment=environment):
            raise Forbidden(REVEAL_NOT_ALLOWED)
    if reveal_secrets:  # typed credentials too: editors and owners only
        ensure_may_export_secrets(user=user, obj=workspace)
    if spec.auth.type == "inherit":
        spec = spec_with_inherited_auth({**spec_to_dict(spec), "auth": None}, collection=collection, chain=chain)
    try:
        return generate_snippet(
            spec,
            lang,
            scopes=[inherited_values(collection, chain), environment_values(environment)],
            resolve_variables=resolve_variables,
            secret_names=_secret_names(environment),
            mask_secrets=not reveal_secrets,
        )
    except UnknownLanguage as error:  # pragma: no cover - checked above
        raise ValidationFailed.for_field("lang", str(error)) from None
    except SnippetError as error:
        raise ValidationFailed.for_field("variables", str(error), code="snippet") from None


def request_snippet(
    *,
    user: AbstractBaseUser,
    request_id: Any,
    lang: str,
    resolve_variables: bool = False,
    environment: Environment | None = None,
    reveal_secrets: bool = False,
) -> str:
    """Code that sends a saved request as stored (folder or collection auth applied where it inherits)."""
    saved = access.get_request_for_user(user, request_id)
    workspace = access.get_workspace_for_user(user, saved.collection.workspace_id)
    return spec_snippet(
        user=user,
        workspace=workspace,
        spec=stored_spec({part: getattr(saved, part) for part in REQUEST_PARTS}),
        lang=lang,
        saved_request=saved,
        environment=environment,
        resolve_variables=resolve_variables,
        reveal_secrets=reveal_secrets,
    )
