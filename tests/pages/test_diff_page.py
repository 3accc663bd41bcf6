"""The Compare responses page (issue 18): pick two history entries, read what changed."""

from __future__ import annotations

from requests_app.services.execution import request_execute
from requests_app.services.saved_requests import request_create


def test_compare_page_shows_body_and_header_changes(alice, acme, client_for, echo_server):
    from requests_app.services.collections import collection_create

    collection = collection_create(user=alice, workspace=acme, name="C")
    saved = request_create(user=alice, collection=collection, name="r", method="POST", url=echo_server.url("/anything"),
                           body={"mode": "json", "text": '{"price": 10}'})
    first = request_execute(user=alice, workspace=acme, saved_request=saved)
    saved.body = {"mode": "json", "text": '{"price": 12}'}
    saved.save()
    second = request_execute(user=alice, workspace=acme, saved_request=saved)
    client = client_for(alice)
    page = client.get(f"/w/{acme.pk}/history/compare/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{first.pk}" selected>' in html and f'<option value="{second.pk}" selected>' in html
    assert "<code>$.json.price</code>" in html and "<code>10</code>" in html and "<code>12</code>" in html
    partial = client.get(f"/w/{acme.pk}/history/compare/", {"a": second.pk, "b": second.pk},
                         HTTP_HX_REQUEST="true", HTTP_HX_TARGET="diff-result")
    assert partial.content.decode().lstrip().startswith('<div id="diff-result"')
    assert "The two responses are the same" in partial.content.decode()


def test_an_entry_of_another_workspace_or_person_is_404(alice, acme, carol, client_for, echo_server):
    from requests_app.services.collections import collection_create

    saved = request_create(user=alice, collection=collection_create(user=alice, workspace=acme, name="C"),
                           name="r", url=echo_server.url("/get"))
    entry = request_execute(user=alice, workspace=acme, saved_request=saved)
    carol_page = client_for(carol).get(f"/w/{carol.personal_workspace.pk}/history/compare/", {"a": entry.pk, "b": entry.pk})
    assert carol_page.status_code == 404
    other_ws = client_for(alice).get(f"/w/{alice.personal_workspace.pk}/history/compare/", {"a": entry.pk, "b": entry.pk})
    assert other_ws.status_code == 404


def test_with_no_history_the_page_says_what_to_do(alice, client_for):
    html = client_for(alice).get(f"/w/{alice.personal_workspace.pk}/history/compare/").content.decode()
    assert "Nothing to compare yet" in html
