"""Send a request on behalf of a person and record it: the one execution path of page and API.

Usage::

    from requests_app.services.execution import request_execute
    entry = request_execute(user=user, workspace=ws, saved_request=saved, environment=env)
    entry = request_execute(user=user, workspace=ws, spec={"method": "GET", "url": "{{base}}/users"},
                            collection=c)     # ad hoc, or an edited saved request (saved_request=…)
    history_exchange(entry)                   # engine.exchange.exchange_to_dict shape, masked

What happens:

1. Access: any member (viewers too) may execute; every object must belong to `workspace`.
2. The request as asked: `spec` (engine RequestSpec or its dict shape) or the saved request.
   Auth "inherit" takes the nearest folder's auth, else the collection's (services.inheritance);
   "none" sends none.
3. Variables: scopes [collection variables overlaid by the request's folders' (outside in),
   environment variables (secrets decrypted)]; the environment wins.
4. The outbound policy and limits come from settings (WEBCLIENT_OUTBOUND, _ALLOW, _DENY,
   WEBCLIENT_MAX_RESPONSE_BYTES, WEBCLIENT_MAX_REQUEST_BODY_BYTES).
5. The cookie jar of (user, workspace) is loaded, used, and its changes merged back.
6. Invalid input (engine error kinds invalid_request / unsupported, or a body over the limit)
   raises ValidationFailed naming the field and records nothing; network trouble (refused, timeout, TLS, blocked…) is
   a successful execution with `error` set, recorded like any other.
7. Secrets go only where they may (engine.secret_hosts): a secret with hosts only to those, one
   without hosts only when sent by an editor or owner (team mode); otherwise nothing is sent and
   the entry records a `blocked` error naming the variable.
8. History keeps the exchange with every secret value replaced by {{name}}.
9. Scripts (services.scripts): the collection's, its folders' and the request's pre-request scripts
   run before the send, their test scripts after it, as in a run; `exchange["scripts"]` holds the
   tests, errors, console and pm.sendRequest calls (shown on the response's Tests tab). Changes
   to pm.environment are written to the environment when the person may edit it (Postman keeps
   them too); other scopes live for this send only. Scripts see a secret's mask, never its value.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured

from requests_app import access
from requests_app.engine import send
from requests_app.engine.exchange import INVALID_REQUEST, TOO_LARGE, UNSUPPORTED, Exchange
from requests_app.engine.policy import OutboundPolicy
from requests_app.engine.secret_hosts import BoundSecret, SecretScope
from requests_app.engine.spec import RequestSpec, auth_to_dict, spec_to_dict
from requests_app.engine.validation import RequestRejected, parse_url
from requests_app.engine.variables import VariableCycleError, VariableExpansionError, merge_scopes, resolve_text
from requests_app.models import Collection, Environment, HistoryEntry, SavedRequest, Workspace
from requests_app.services.activity import activity_record
from requests_app.services.cookies import cookie_jar_load, cookie_jar_save
from requests_app.services.environments import environment_secret_scope, environment_secrets, environment_values
from requests_app.services.errors import NotFound, ValidationFailed
from requests_app.services.history import history_record
from requests_app.services.inheritance import (
    enabled_values,
    folder_chain,
    folder_values,
    inherited_values,
    spec_with_inherited_auth,
)
from requests_app.services.masking import SecretMasker, credential_secrets, credentials_unmasked
from requests_app.services.scripts import clean_scripts, environment_after_send, request_scripts, run_send_scripts
from requests_app.services.validation import REQUEST_PARTS, clean_request_parts

logger = logging.getLogger(__name__)

_VALIDATION_KINDS = (INVALID_REQUEST, UNSUPPORTED)


@lru_cache(maxsize=8)
def _policy(mode: str, allow: tuple[str, ...], deny: tuple[str, ...], team_mode: bool) -> OutboundPolicy:
    try:
        return replace(OutboundPolicy.from_config(mode, allow, deny), hides_resolved_addresses=team_mode)
    except ValueError as error:
        raise ImproperlyConfigured(f"WEBCLIENT_OUTBOUND settings: {error}") from None


def _oauth_token(
    user: AbstractBaseUser, workspace: Workspace, spec: RequestSpec, scopes: list[dict[str, str]]
) -> tuple[dict[str, str], list[str]]:
    """Put the user's OAuth 2.0 token (refreshed if due) into `spec`; ({name: token}, warnings)."""
    if spec.auth.type != "oauth2":
        return {}, []
    from requests_app.engine.variables import VariableCycleError, VariableExpansionError
    from requests_app.services import oauth  # only requests with OAuth 2.0 pay for it

    try:
        auth = oauth.resolved_auth(spec.auth, scopes)
    except (VariableCycleError, VariableExpansionError):
        return {}, []  # the send itself names the problem
    token, warnings = oauth.oauth_token_for_send(user=user, workspace=workspace, auth=auth)
    spec.auth.token = token
    return ({"oauth2_access_token": token} if token else {}), warnings


def outbound_policy() -> OutboundPolicy:
    """The server's outbound policy, built from settings (cached per distinct configuration)."""
    return _policy(
        settings.WEBCLIENT_OUTBOUND,
        tuple(settings.WEBCLIENT_OUTBOUND_ALLOW),
        tuple(settings.WEBCLIENT_OUTBOUND_DENY),
        bool(settings.TEAM_MODE),
    )


def collection_values(collection: Collection | None) -> dict[str, str]:
    """Enabled collection variables as {name: value} (later rows of a key win)."""
    return enabled_values(collection.variables if collection is not None else [])


def _belongs(obj: Any, workspace: Workspace, what: str) -> None:
    if obj is not None and access.workspace_id_of(obj) != workspace.pk:
        raise NotFound(f"{what} not found in this workspace.")


NO_HOST = "(no host: the saved URL does not resolve)"


def _stored_request_hosts(urls: list[str], scopes: list[dict[str, str]]) -> tuple[str, ...]:
    """The hosts stored request URLs go to, their variables resolved as for sending."""
    hosts: list[str] = []
    for url in urls:
        try:
            host = parse_url(resolve_text(url, merge_scopes(scopes))[0]).target.host
        except (RequestRejected, VariableCycleError, VariableExpansionError):
            continue
        if host not in hosts:
            hosts.append(host if ":" not in host else f"[{host}]")
    return tuple(hosts)


def _secret_scope(
    environment: Environment | None,
    role: str | None,
    saved_request: SavedRequest | None,
    collection: Collection | None,
    scopes: list[dict[str, str]],
    to_send: RequestSpec,
    folder_auths: list[Any],
) -> SecretScope:
    """The environment's secrets and, for viewers, the stored credentials bound to the stored requests' hosts.

    A viewer may send a saved request's (or its collection's) password, token or API key only
    where the saved requests go: not to a URL of their choosing with the mask standing in.
    """
    scope = environment_secret_scope(environment, role=role)
    if access.can_edit(role):
        return scope
    stored: list[tuple[dict[str, str], list[str]]] = []
    if saved_request is not None:
        stored.append((credential_secrets(saved_request.auth), [saved_request.url]))
    inherited = credential_secrets(*folder_auths, collection.auth if collection else None)
    if collection is not None and inherited:
        urls = list(SavedRequest.objects.filter(collection=collection).values_list("url", flat=True)[:500])
        stored.append((inherited, urls))
    sent = set(credential_secrets(auth_to_dict(to_send.auth)).values())
    bound, carried = list(scope.secrets), []
    for credentials, urls in stored:
        # No host to bind to (a URL that does not resolve): the credential goes nowhere.
        hosts = _stored_request_hosts(urls, scopes) or (NO_HOST,)
        for name, value in credentials.items():
            bound.append(BoundSecret(name, value, hosts))
            if value in sent:
                carried.append(name)  # in the auth sent, whatever its length
    return SecretScope(secrets=tuple(bound), unbound_allowed=scope.unbound_allowed, carried=tuple(carried))


def request_execute(
    *,
    user: AbstractBaseUser,
    workspace: Workspace,
    spec: RequestSpec | dict[str, Any] | None = None,
    saved_request: SavedRequest | None = None,
    collection: Collection | None = None,
    environment: Environment | None = None,
    scripts: dict[str, str] | None = None,
) -> HistoryEntry:
    """Send `spec` (or the saved request as stored) and return the recorded history entry.

    With both `spec` and `saved_request`, the spec is sent (e.g. unsaved edits) in the saved
    request's collection and the entry is linked to it. `scripts` ({"prerequest", "test"}): the
    request's own scripts as edited (None: the saved request's, if any); the collection's and its
    folders' scripts run around them either way. Raises NotFound for objects outside
    `workspace`, ValidationFailed (fields named) for invalid input; never for network trouble.
    """
    access.ensure_role(user, workspace, "read")
    role = access.role_for(user, workspace)
    _belongs(saved_request, workspace, "Request")
    _belongs(collection, workspace, "Collection")
    _belongs(environment, workspace, "Environment")
    if collection is None and saved_request is not None:
        collection = saved_request.collection
    if spec is None and saved_request is None:
        raise ValidationFailed.for_field("url", "Give a request to send.")
    if scripts is not None:
        scripts = clean_scripts(scripts)

    if spec is None:
        assert saved_request is not None
        asked = {part: getattr(saved_request, part) for part in REQUEST_PARTS}
    elif isinstance(spec, RequestSpec):
        asked = spec_to_dict(spec)
    else:
        asked = clean_request_parts(spec)
    if spec is not None and saved_request is not None:
        # The editor shows a viewer the saved credentials as the mask; sent back, it stands for them.
        asked["auth"] = credentials_unmasked(asked.get("auth"), saved_request.auth)
    # The folders above a saved request (in the collection it is sent in) lend their auth and variables.
    in_place = saved_request is not None and collection is not None and saved_request.collection_id == collection.pk
    chain = folder_chain(saved_request.folder) if in_place and saved_request is not None else []
    folder_auths = [folder.auth for folder in chain]
    to_send = spec_with_inherited_auth(asked, collection=collection, chain=chain)
    limit = settings.WEBCLIENT_MAX_RESPONSE_BYTES
    to_send.options.max_response_bytes = min(to_send.options.max_response_bytes, limit)

    scopes = [inherited_values(collection, chain), environment_values(environment)]
    token_secrets, token_warnings = _oauth_token(user, workspace, to_send, scopes)
    jar, before = cookie_jar_load(user=user, workspace=workspace) if to_send.options.use_cookies else (None, [])
    secret_scope = _secret_scope(environment, role, saved_request, collection, scopes, to_send, folder_auths)

    def send_fn(spec: RequestSpec, variables: Any) -> Exchange:
        return send(
            spec,
            policy=outbound_policy(),
            cookie_jar=jar,
            variables=variables,
            max_request_body_bytes=settings.WEBCLIENT_MAX_REQUEST_BODY_BYTES,
            secrets=secret_scope,
        )

    script_chain = request_scripts(collection, saved_request, scripts, folders=chain[::-1] if in_place else None)
    script_run = None
    if script_chain:
        # scripts see the collection's variables as pm.collectionVariables, not the folders' (as in a run)
        script_run = run_send_scripts(to_send, script_chain, send_fn=send_fn, scopes=[collection_values(collection), scopes[1]],
                                      name=saved_request.name if saved_request else "",
                                      secrets=environment_secrets(environment), folder_vars=folder_values(chain))
        exchange = script_run.exchange
    else:
        exchange = send_fn(to_send, scopes)

    exchange.warnings[:0] = token_warnings
    error = exchange.error
    secrets = {**environment_secrets(environment), **token_secrets}
    if not access.can_edit(role):  # stored credentials are secrets to viewers, in their history too
        secrets.update(credential_secrets(saved_request.auth if saved_request else None, *folder_auths,
                                          collection.auth if collection else None))
    # Refused before anything was sent: bad input (a 400), not an execution to record.
    # A redirect to ftp: or javascript: is refused after the first hop went out: that is recorded.
    if error is not None and exchange.request is None and error.kind in (*_VALIDATION_KINDS, TOO_LARGE):
        message = SecretMasker(secrets).text(error.message)  # messages may quote the resolved value
        raise ValidationFailed(message, code=error.code or error.kind, fields={error.field or "url": [message]})
    if jar is not None:
        cookie_jar_save(user=user, workspace=workspace, before=before, jar=jar)
    entry = history_record(
        user=user,
        workspace=workspace,
        asked=asked,
        exchange=exchange,
        secrets=secrets,
        saved_request=saved_request,
        environment=environment,
    )
    if script_run is not None:
        entry.exchange = {**entry.exchange, "scripts": SecretMasker(secrets).deep(script_run.report)}
        entry.save(update_fields=["exchange"])
        entry.__dict__.pop("_full_exchange", None)  # history_exchange's cache of the entry before the scripts' part
        if script_run.environment is not None and environment is not None:
            environment_after_send(user=user, environment=environment, before=scopes[1], after=script_run.environment)
    if saved_request is not None:  # ad hoc sends stay personal (history); running a shared request is news
        activity_record(user=user, verb="ran", obj=saved_request, workspace=workspace.pk,
                        detail={"error": entry.error_kind} if entry.error_kind else {"status": entry.status})
    logger.info("executed history=%s status=%s error=%s", entry.pk, entry.status, entry.error_kind or "-")
    return entry
