"""Every operation of webclient, once: the page (views/) and the API (api/) both call these.

Functions are keyword-only and named <entity>_<action>. They take objects obtained through
`requests_app.access` (which scopes them to the user's workspaces) and re-check the caller's
role themselves; they raise the named errors of `services.errors` (ValidationFailed 400,
Forbidden 403, NotFound 404, VersionConflict 409), never return error codes.

- accounts:       account_create, api_token_create, api_token_revoke
- workspaces:     workspace_create/update/delete, members_list, member_add/set_role/remove
- collections:    collection_create/update/move/duplicate/delete, collection_tree
- folders:        folder_create/update/move/duplicate/delete
- saved_requests: request_create/update/move/duplicate/delete, request_spec
- environments:   environment_create/update/duplicate/delete, environment_variables (masked),
                  environment_values, environment_secrets, environment_reveal_allowed
- execution:      request_execute (ad hoc or saved; variables, policy, cookies, history)
- history:        history_list/exchange/spec/delete/clear, history_record
- cookies:        cookie_list/delete/clear (and the jar load/save used by execution)
- helpers:        errors, validation, versioning (optimistic concurrency), tree (ordering,
                  deep copies), secrets (Fernet at rest), masking (secrets → {{name}})
"""
