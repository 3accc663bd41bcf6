"""API input checks (top-level types only) and output shapes.

Deep validation of request parts and variables is the services' job: they raise
ValidationFailed naming the field ("headers[2].value"), which the API answers as 400.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from requests_app import access
from requests_app.api import schema
from requests_app.models import Collection, Environment, Folder, HistoryEntry, Role, SavedRequest, Workspace
from requests_app.services.masking import credentials_masked

MAX_ID = 2**63 - 1


def IdField(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class JSONValueField(serializers.JSONField):
    """DRF's JSONField, checking that the value is JSON by walking it rather than serialising it:
    json.dumps of a 50 MiB request body made two more copies of it (issue 13 item 16)."""

    def to_internal_value(self, data: Any) -> Any:
        if self.binary or getattr(data, "is_json_string", False):
            return super().to_internal_value(data)
        if not _is_json_value(data):
            self.fail("invalid")
        return data


def _is_json_value(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                return False
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):  # DRF's dumps refuses NaN and infinities
                return False
        elif not (item is None or isinstance(item, (str, int, bool))):
            return False
    return True


@extend_schema_field(schema.KEY_VALUE_LIST)
class KeyValueListField(JSONValueField):
    pass


@extend_schema_field(schema.VARIABLE_LIST)
class VariableListField(JSONValueField):
    pass


@extend_schema_field(schema.BODY)
class BodyField(JSONValueField):
    pass


@extend_schema_field(schema.AUTH)
class AuthField(JSONValueField):
    pass


@extend_schema_field(schema.OPTIONS)
class OptionsField(JSONValueField):
    pass


@extend_schema_field(schema.ANY_LIST)
class AnyListField(JSONValueField):
    pass


@extend_schema_field(schema.ANY_OBJECT)
class AnyObjectField(JSONValueField):
    pass


NAME = {"max_length": 200}
DESCRIPTION = {"allow_blank": True, "max_length": 100_000}


# ---------------------------------------------------------------- inputs


class VersionedInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version your change is based on; stale answers 409."
    )


class WorkspaceInput(serializers.Serializer):
    name = serializers.CharField(**NAME)


class MemberInput(serializers.Serializer):
    username = serializers.CharField(required=False, max_length=150, help_text="The account's username, or:")
    email = serializers.CharField(required=False, max_length=254, help_text="the account's e-mail address.")
    role = serializers.ChoiceField(choices=Role.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("username") and not attrs.get("email"):
            raise serializers.ValidationError({"username": ["Give a username or an e-mail address."]})
        return attrs


class MemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class CollectionCreateInput(serializers.Serializer):
    workspace = IdField()
    name = serializers.CharField(**NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    variables = KeyValueListField(required=False)
    auth = AuthField(required=False)


class CollectionUpdateInput(VersionedInput):
    name = serializers.CharField(required=False, **NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    variables = KeyValueListField(required=False)
    auth = AuthField(required=False)


class PositionInput(serializers.Serializer):
    position = serializers.IntegerField(min_value=0, max_value=1_000_000)


class DuplicateInput(serializers.Serializer):
    name = serializers.CharField(required=False, **NAME)


class FolderCreateInput(serializers.Serializer):
    collection = IdField()
    parent = IdField(required=False, allow_null=True)
    name = serializers.CharField(**NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    variables = KeyValueListField(required=False, help_text="Between the collection's and the environment's.")
    auth = AuthField(required=False, help_text="Default {'type': 'inherit'}: the parent folder's or collection's.")


class FolderUpdateInput(VersionedInput):
    name = serializers.CharField(required=False, **NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    variables = KeyValueListField(required=False)
    auth = AuthField(required=False)


class FolderMoveInput(serializers.Serializer):
    collection = IdField(required=False, help_text="Target collection; default the folder's own.")
    parent = IdField(required=False, allow_null=True, help_text="Target parent folder; null = collection root.")
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)


class RequestPartsInput(serializers.Serializer):
    method = serializers.CharField(required=False, max_length=32)
    url = serializers.CharField(required=False, allow_blank=True, max_length=65536, trim_whitespace=False)
    params = KeyValueListField(required=False)
    headers = KeyValueListField(required=False)
    body = BodyField(required=False)
    auth = AuthField(required=False)
    options = OptionsField(required=False)


class RequestCreateInput(RequestPartsInput):
    collection = IdField()
    folder = IdField(required=False, allow_null=True)
    name = serializers.CharField(**NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    assertions = AnyListField(required=False)
    captures = AnyListField(required=False)
    scripts = AnyObjectField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)


class RequestUpdateInput(RequestPartsInput, VersionedInput):
    name = serializers.CharField(required=False, **NAME)
    description = serializers.CharField(required=False, **DESCRIPTION)
    assertions = AnyListField(required=False)
    captures = AnyListField(required=False)
    scripts = AnyObjectField(required=False)


class RequestMoveInput(serializers.Serializer):
    collection = IdField(required=False, help_text="Target collection; default the request's own.")
    folder = IdField(required=False, allow_null=True, help_text="Target folder; null = collection root.")
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)


class EnvironmentCreateInput(serializers.Serializer):
    workspace = IdField()
    name = serializers.CharField(**NAME)
    variables = VariableListField(required=False)


class EnvironmentUpdateInput(VersionedInput):
    name = serializers.CharField(required=False, **NAME)
    variables = VariableListField(required=False)


class ExecuteInput(RequestPartsInput):
    workspace = IdField()
    environment = IdField(required=False, allow_null=True)
    collection = IdField(
        required=False, allow_null=True, help_text="Send in this collection's context (variables, default auth)."
    )
    request = IdField(
        required=False, allow_null=True, help_text="A saved request this is an edited version of (links history)."
    )
    method = serializers.CharField(max_length=32)
    url = serializers.CharField(allow_blank=True, max_length=65536, trim_whitespace=False)
    scripts = AnyObjectField(
        required=False, allow_null=True,
        help_text="The request's own pre-request and test scripts as edited ({\"prerequest\": js, \"test\": js}); they "
                  "run after the collection's and folders' as on a Send from the page. Left out or null: the saved "
                  "request's own scripts (`request`), or none. {} runs only the collection's and folders'.",
    )


class SavedExecuteInput(serializers.Serializer):
    environment = IdField(required=False, allow_null=True)


class WorkspaceRefInput(serializers.Serializer):
    workspace = IdField()


class CookieDeleteInput(WorkspaceRefInput):
    domain = serializers.CharField(max_length=1000, trim_whitespace=False)
    path = serializers.CharField(max_length=4000, trim_whitespace=False)
    name = serializers.CharField(max_length=4000, trim_whitespace=False)


class CookieSetInput(WorkspaceRefInput):
    name = serializers.CharField(max_length=4000, trim_whitespace=False)
    value = serializers.CharField(max_length=4000, trim_whitespace=False, allow_blank=True, default="")
    domain = serializers.CharField(max_length=1000)
    path = serializers.CharField(max_length=4000, default="/")
    expires = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                        help_text="ISO 8601; absent or null: a session cookie")
    secure = serializers.BooleanField(default=False)
    http_only = serializers.BooleanField(default=False)
    replaces = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False),
                                     required=False, allow_null=True, default=None,
                                     help_text="Editing: {domain, path, name} of the cookie this one replaces")


# ---------------------------------------------------------------- outputs


class WorkspaceOutput(serializers.ModelSerializer):
    role = serializers.CharField(source="user_role", read_only=True)

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "is_personal", "role", "created_at"]


class MemberOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = serializers.DateTimeField()


class CredentialsMaskedForViewers:
    """Auth credentials (passwords, tokens, API key values) as the mask unless the caller may edit the object."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        if not access.can_edit(getattr(instance, "user_role", None)):
            data["auth"] = credentials_masked(data.get("auth"))
        return data  # type: ignore[no-any-return]


class CollectionOutput(CredentialsMaskedForViewers, serializers.ModelSerializer):
    variables = KeyValueListField()
    auth = AuthField()

    class Meta:
        model = Collection
        fields = ["id", "workspace", "name", "description", "variables", "auth", "position", "version",
                  "created_at", "updated_at"]


class FolderOutput(CredentialsMaskedForViewers, serializers.ModelSerializer):
    variables = KeyValueListField()
    auth = AuthField()

    class Meta:
        model = Folder
        fields = ["id", "collection", "parent", "name", "description", "variables", "auth", "position", "version",
                  "created_at", "updated_at"]


class SavedRequestOutput(CredentialsMaskedForViewers, serializers.ModelSerializer):
    params = KeyValueListField()
    headers = KeyValueListField()
    body = BodyField()
    auth = AuthField()
    options = OptionsField()
    assertions = AnyListField()
    captures = AnyListField()
    scripts = AnyObjectField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SavedRequest
        fields = ["id", "collection", "folder", "name", "position", "method", "url", "params", "headers", "body",
                  "auth", "options", "description", "assertions", "captures", "scripts", "version",
                  "created_by", "updated_by", "created_at", "updated_at"]


class EnvironmentOutput(serializers.ModelSerializer):
    variables = serializers.SerializerMethodField()

    class Meta:
        model = Environment
        fields = ["id", "workspace", "name", "variables", "version", "created_at", "updated_at"]

    @extend_schema_field(schema.VARIABLE_LIST)
    def get_variables(self, environment: Environment) -> list[dict[str, Any]]:
        from requests_app.services.environments import environment_variables

        return environment_variables(environment, reveal=bool(self.context.get("reveal")))


class HistoryListOutput(serializers.ModelSerializer):
    class Meta:
        model = HistoryEntry
        fields = ["id", "workspace", "saved_request", "environment", "method", "url", "status", "error_kind",
                  "total_ms", "created_at"]


class ExchangeOutput(serializers.Serializer):
    """A history entry with its exchange: the answer of execute and of history detail."""

    id = serializers.IntegerField()
    workspace = serializers.IntegerField()
    saved_request = serializers.IntegerField(allow_null=True)
    environment = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    spec = serializers.DictField(help_text="The request as asked, secrets as {{name}}.")
    request = serializers.JSONField()
    response = serializers.JSONField()
    redirects = serializers.JSONField()
    timings = serializers.JSONField()
    warnings = serializers.ListField(child=serializers.CharField())
    unresolved_variables = serializers.ListField(
        child=serializers.CharField(), help_text="Variables no scope defined: sent as written, {{name}}."
    )
    error = serializers.JSONField()
    scripts = serializers.JSONField(
        required=False,
        help_text="Only when pre-request/test scripts ran: tests (name, passed, message), errors, console, "
        "pm.sendRequest calls; secrets masked.",
    )

    def to_representation(self, entry: HistoryEntry) -> dict[str, Any]:
        from requests_app.services.history import history_exchange, history_spec

        return {
            "id": entry.pk,
            "workspace": entry.workspace_id,
            "saved_request": entry.saved_request_id,
            "environment": entry.environment_id,
            "created_at": serializers.DateTimeField().to_representation(entry.created_at),
            "spec": history_spec(entry, with_stored_body=self.context.get("stored_body", True)),
            "unresolved_variables": [],  # entries recorded before the field existed
            # context stored_body=False: a body kept in the entry's file is left out (api.answers streams it)
            **history_exchange(entry, with_stored_body=self.context.get("stored_body", True)),
        }


class CookieOutput(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField()
    domain = serializers.CharField()
    path = serializers.CharField()
    expires = serializers.CharField(allow_null=True)
    secure = serializers.BooleanField()
    http_only = serializers.BooleanField()
    same_site = serializers.CharField()


class TreeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    folders = serializers.ListField(child=serializers.DictField())
    requests = serializers.ListField(child=serializers.DictField())


class ClearedOutput(serializers.Serializer):
    deleted = serializers.IntegerField()
