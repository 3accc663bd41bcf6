"""The page's URLs. Everything under w/<workspace_id>/ names the workspace it acts in."""

from django.urls import path

from requests_app.views import settings_panels, sharing, teams, versions
from requests_app.views import accounts, editor, environments, interop, tree, workspace
from requests_app.views import diffs, examples, oauth, runner, scripts

urlpatterns = [
    path("", workspace.home, name="home"),
    # accounts
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/tokens/", accounts.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token_revoke"),
    # the page
    path("w/", workspace.workspace_switch, name="workspace_switch"),
    path("w/<int:workspace_id>/", workspace.workspace_page, name="workspace"),
    path("w/<int:workspace_id>/requests/<int:request_id>/", workspace.request_open, name="request_open"),
    path("w/<int:workspace_id>/send/", editor.request_send, name="request_send"),
    path("w/<int:workspace_id>/save/", editor.request_save, name="request_save"),
    path("w/<int:workspace_id>/save-as/", editor.request_save_as, name="request_save_as"),
    path("w/<int:workspace_id>/paste-curl/", workspace.request_paste_curl, name="request_paste_curl"),
    # history
    path("w/<int:workspace_id>/history/", workspace.history_list_view, name="history_list"),
    path("w/<int:workspace_id>/history/clear/", workspace.history_clear_view, name="history_clear"),
    path("w/<int:workspace_id>/history/compare/", diffs.history_compare, name="history_compare"),
    path("w/<int:workspace_id>/history/<int:entry_id>/", workspace.history_open, name="history_open"),
    path("w/<int:workspace_id>/history/<int:entry_id>/body/", workspace.history_body, name="history_body"),
    path("w/<int:workspace_id>/history/<int:entry_id>/json/", workspace.history_json, name="history_json"),
    path("w/<int:workspace_id>/history/<int:entry_id>/delete/", workspace.history_delete_view, name="history_delete"),
    # collections tree
    path("w/<int:workspace_id>/tree/", tree.sidebar_tree_view, name="sidebar_tree"),
    path("w/<int:workspace_id>/search/", tree.sidebar_search, name="sidebar_search"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/children/", tree.folder_children, name="folder_children"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/children/", tree.collection_children, name="collection_children"),
    path("w/<int:workspace_id>/collections/new/", tree.collection_create_view, name="collection_create"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/rename/", tree.collection_rename, name="collection_rename"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/scripts/", scripts.collection_scripts, name="collection_scripts"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/move/", tree.collection_move, name="collection_move"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/delete/", tree.collection_delete_view, name="collection_delete"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/settings/", settings_panels.collection_settings, name="collection_settings"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/settings/", settings_panels.folder_settings, name="folder_settings"),
    path("w/<int:workspace_id>/folders/new/", tree.folder_create_view, name="folder_create"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/rename/", tree.folder_rename, name="folder_rename"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/scripts/", scripts.folder_scripts, name="folder_scripts"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/move/", tree.folder_move, name="folder_move"),
    path("w/<int:workspace_id>/folders/<int:folder_id>/delete/", tree.folder_delete_view, name="folder_delete"),
    path("w/<int:workspace_id>/requests/new/", tree.request_create_view, name="request_create"),
    path("w/<int:workspace_id>/requests/<int:request_id>/rename/", tree.request_rename, name="request_rename"),
    path("w/<int:workspace_id>/requests/<int:request_id>/move/", tree.request_move, name="request_move"),
    path("w/<int:workspace_id>/requests/<int:request_id>/duplicate/", tree.request_duplicate_view, name="request_duplicate"),
    path("w/<int:workspace_id>/requests/<int:request_id>/delete/", tree.request_delete_view, name="request_delete"),
    # environments and cookies
    path("w/<int:workspace_id>/environments/", environments.environment_list, name="environment_list"),
    path("w/<int:workspace_id>/environments/new/", environments.environment_create_view, name="environment_create"),
    path("w/<int:workspace_id>/environments/active/", environments.environment_activate, name="environment_activate"),
    path("w/<int:workspace_id>/environments/<int:environment_id>/", environments.environment_edit, name="environment_edit"),
    path("w/<int:workspace_id>/environments/<int:environment_id>/reveal/", environments.environment_reveal, name="environment_reveal"),
    path("w/<int:workspace_id>/environments/<int:environment_id>/delete/", environments.environment_delete_view, name="environment_delete"),
    path("w/<int:workspace_id>/cookies/", environments.cookies, name="cookies"),
    path("w/<int:workspace_id>/cookies/delete/", environments.cookie_delete_view, name="cookie_delete"),
    path("w/<int:workspace_id>/cookies/clear/", environments.cookie_clear_view, name="cookie_clear"),
    path("w/<int:workspace_id>/cookies/set/", environments.cookie_set_view, name="cookie_set"),
    # teams: workspaces, members, invitation links, activity
    path("w/new/", teams.workspace_create_view, name="workspace_create"),
    path("w/<int:workspace_id>/settings/", teams.workspace_settings, name="workspace_settings"),
    path("w/<int:workspace_id>/delete/", teams.workspace_delete_view, name="workspace_delete"),
    path("w/<int:workspace_id>/members/", teams.members, name="members"),
    path("w/<int:workspace_id>/members/<int:user_id>/role/", teams.member_role, name="member_role"),
    path("w/<int:workspace_id>/members/<int:user_id>/remove/", teams.member_remove_view, name="member_remove"),
    path("w/<int:workspace_id>/invitations/", teams.invitation_create_view, name="invitation_create"),
    path("w/<int:workspace_id>/invitations/<int:invitation_id>/revoke/", teams.invitation_revoke_view, name="invitation_revoke"),
    path("invite/<str:token>/", teams.invitation_accept_view, name="invitation_accept"),
    path("w/<int:workspace_id>/activity/", teams.activity, name="activity"),
    # saved examples and mock servers
    path("w/<int:workspace_id>/requests/<int:request_id>/examples/", examples.request_examples, name="request_examples"),
    path("w/<int:workspace_id>/examples/<int:example_id>/", examples.example_edit, name="example_edit"),
    path("w/<int:workspace_id>/examples/<int:example_id>/delete/", examples.example_delete, name="example_delete"),
    path("w/<int:workspace_id>/history/<int:entry_id>/example/", examples.example_from_history, name="example_from_history"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/mock/", examples.collection_mock, name="collection_mock"),
    # OAuth 2.0 tokens
    path("w/<int:workspace_id>/oauth/token/", oauth.oauth_token_box, name="oauth_token_box"),
    path("oauth/callback/", oauth.oauth_callback, name="oauth_callback"),
    # change history
    path("w/<int:workspace_id>/requests/<int:request_id>/versions/", versions.request_versions, name="request_versions"),
    path("w/<int:workspace_id>/requests/<int:request_id>/versions/<int:number>/restore/", versions.request_version_restore_view, name="request_version_restore"),
    path("w/<int:workspace_id>/environments/<int:environment_id>/versions/", versions.environment_versions, name="environment_versions"),
    path("w/<int:workspace_id>/environments/<int:environment_id>/versions/<int:number>/restore/", versions.environment_version_restore_view, name="environment_version_restore"),
    # sharing: a link to a request; move or copy between workspaces
    path("r/<int:request_id>/", sharing.request_share, name="request_share"),
    path("w/<int:workspace_id>/requests/<int:request_id>/transfer/", sharing.request_transfer, name="request_transfer"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/transfer/", sharing.collection_transfer_view, name="collection_transfer"),
    # import and export
    path("w/<int:workspace_id>/import/", interop.import_dialog, name="import_dialog"),
    path("w/<int:workspace_id>/import/detect/", interop.import_detect, name="import_detect"),
    path("w/<int:workspace_id>/collections/<int:collection_id>/export/", interop.collection_export_view, name="collection_export"),
    path("w/<int:workspace_id>/snippet/", interop.editor_snippet, name="editor_snippet"),
    path("w/<int:workspace_id>/history/har/", interop.history_har_all, name="history_har_all"),
    path("w/<int:workspace_id>/history/<int:entry_id>/har/", interop.history_har_view, name="history_har"),
    # collection runner and the editor's Tests tab
    path("w/<int:workspace_id>/runs/", runner.runner_page, name="runner"),
    path("w/<int:workspace_id>/runs/<int:run_id>/", runner.run_page, name="run_page"),
    path("w/<int:workspace_id>/runs/<int:run_id>/live/", runner.run_live, name="run_live"),
    path("w/<int:workspace_id>/runs/<int:run_id>/cancel/", runner.run_cancel_view, name="run_cancel"),
    path("w/<int:workspace_id>/runs/<int:run_id>/rerun/", runner.run_rerun_view, name="run_rerun"),
    path("w/<int:workspace_id>/runs/<int:run_id>/report/", runner.run_report_view, name="run_report"),
    path("w/<int:workspace_id>/runs/<int:run_id>/har/", runner.run_har_view, name="run_har"),
    path("w/<int:workspace_id>/runs/<int:run_id>/compare/", runner.run_compare_view, name="run_compare"),
    path("w/<int:workspace_id>/requests/<int:request_id>/tests/", runner.request_tests, name="request_tests"),
    path("w/<int:workspace_id>/requests/<int:request_id>/tests/try/", runner.request_tests_try_view, name="request_tests_try"),
]
