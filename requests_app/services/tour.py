"""The "HTTP tour": a collection every new account starts with, aimed at the in-app playground.

Usage::

    from requests_app.services.tour import account_create_with_tour, tour_create
    user = account_create_with_tour(username="dora", password="…", base_url="http://127.0.0.1:8000/echo")
    tour_create(user=user, workspace=user.personal_workspace, base_url="http://127.0.0.1:8000/echo")

Every request uses the collection variable ``{{baseUrl}}``, set from the address the account was
created at, so the tour works offline against ``/echo/…`` and can be pointed elsewhere by
editing one variable. Each request's description says what it teaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from requests_app.models import Collection, Workspace
from requests_app.services.accounts import account_create
from requests_app.services.collections import collection_create
from requests_app.services.folders import folder_create
from requests_app.services.saved_requests import request_create

TOUR_NAME = "HTTP tour"
TOUR_DESCRIPTION = (
    "Ready-made requests against the built-in playground: send each one and read what crossed the wire. "
    "{{baseUrl}} is a collection variable; point it at another httpbin-like server to take the tour there."
)


@dataclass
class TourRequest:
    name: str
    description: str
    method: str = "GET"
    path: str = "/anything"
    headers: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=lambda: {"mode": "none"})
    auth: dict[str, Any] = field(default_factory=lambda: {"type": "none"})
    options: dict[str, Any] = field(default_factory=dict)


def _kv(key: str, value: str, enabled: bool = True) -> dict[str, Any]:
    return {"key": key, "value": value, "enabled": enabled}


def _status(code: int, name: str, lesson: str) -> TourRequest:
    return TourRequest(f"{code} {name}", lesson, path=f"/status/{code}")


TOUR: list[tuple[str, list[TourRequest]]] = [
    (
        "1 · Methods and query",
        [
            TourRequest(
                "GET with query params",
                "GET asks for a resource. The Params tab and the URL stay in sync: the echo shows `args` as received.",
                path="/anything?color=blue&size=10",
            ),
            TourRequest(
                "HEAD: headers only",
                "HEAD is GET without the body: same status and headers, nothing after. Compare the sizes with GET.",
                method="HEAD",
                path="/get",
            ),
            TourRequest(
                "Custom method",
                "Methods are just tokens: servers may define their own (WebDAV's PROPFIND, caches' PURGE).",
                method="PURGE",
                path="/anything/cache/item-1",
            ),
            TourRequest(
                "Send headers",
                "Request headers carry metadata. See the ones you set next to those added for you (User-Agent, Host…).",
                path="/headers",
                headers=[_kv("Accept", "application/json"), _kv("X-Tour", "hello"), _kv("X-Disabled", "not sent", False)],
            ),
        ],
    ),
    (
        "2 · Sending data",
        [
            TourRequest(
                "POST JSON",
                "A JSON body with Content-Type: application/json; the echo parses it back as `json`.",
                method="POST",
                body={"mode": "json", "text": '{\n  "name": "Ada",\n  "languages": ["en", "fr"],\n  "admin": false\n}'},
            ),
            TourRequest(
                "POST a form (urlencoded)",
                "An HTML form's default encoding: key=value pairs joined with &; the echo shows them as `form`.",
                method="POST",
                body={"mode": "urlencoded", "fields": [_kv("name", "Ada Lovelace"), _kv("born", "1815")]},
            ),
            TourRequest(
                "POST multipart with a file",
                "multipart/form-data sends fields and files in parts separated by a boundary (see Raw).",
                method="POST",
                body={
                    "mode": "multipart",
                    "fields": [
                        _kv("title", "notes"),
                        {
                            "key": "file",
                            "value": "",
                            "enabled": True,
                            "file": {"name": "hello.txt", "content_type": "text/plain", "base64": "SGVsbG8sIEhUVFAhCg=="},
                        },
                    ],
                },
            ),
            TourRequest(
                "PUT: replace",
                "PUT stores the body at the URL, replacing what was there; sending it twice changes nothing more.",
                method="PUT",
                path="/anything/notes/1",
                body={"mode": "json", "text": '{"title": "First note", "done": true}'},
            ),
            TourRequest(
                "DELETE",
                "DELETE removes the resource at the URL. Bodies on DELETE are allowed but rarely meaningful.",
                method="DELETE",
                path="/anything/notes/1",
            ),
        ],
    ),
    (
        "3 · Status codes",
        [
            _status(200, "OK", "2xx: success. 200 carries the answer in the body."),
            _status(201, "Created", "201: something new was made; a Location header usually says where."),
            _status(204, "No Content", "204: success with nothing to say. The body is always empty."),
            TourRequest(
                "301 Moved Permanently",
                "3xx: look elsewhere. Redirects are not followed for this one, so you see the 301 and its Location.",
                path="/redirect-to?url=/echo/get&status_code=301",
                options={"follow_redirects": False},
            ),
            TourRequest(
                "302 Found",
                "302: a temporary redirect, not followed here: the Location header says where to go.",
                path="/redirect-to?url=/echo/get&status_code=302",
                options={"follow_redirects": False},
            ),
            TourRequest(
                "303 See Other",
                "303 after a POST: fetch the result with GET. Followed here; see the chain in Raw.",
                method="POST",
                path="/redirect-to?url=/echo/get&status_code=303",
                body={"mode": "json", "text": '{"order": 42}'},
            ),
            TourRequest(
                "304 Not Modified",
                "304: your cached copy is still good (If-None-Match matched the ETag). No body.",
                path="/etag/tour-v1",
                headers=[_kv("If-None-Match", '"tour-v1"')],
            ),
            _status(400, "Bad Request", "4xx: the client's fault. 400: the request itself is malformed."),
            TourRequest(
                "401 Unauthorized",
                "401: who are you? The WWW-Authenticate header says which scheme to use (see Headers).",
                path="/basic-auth/tour/secret",
            ),
            _status(403, "Forbidden", "403: known, but not allowed. Logging in again won't help."),
            _status(404, "Not Found", "404: nothing at this URL. Hover the status line for its meaning."),
            TourRequest(
                "405 Method Not Allowed",
                "405: the URL exists but not for this method; the Allow header lists the ones it takes.",
                method="POST",
                path="/get",
            ),
            _status(500, "Internal Server Error", "5xx: the server's fault. 500: something broke on its side."),
            _status(503, "Service Unavailable", "503: overloaded or down for maintenance; try again later."),
        ],
    ),
    (
        "4 · Redirects and cookies",
        [
            TourRequest(
                "Redirect chain (3 hops)",
                "Followed redirects: the final answer is from /get; Raw lists each hop with its status and Location.",
                path="/redirect/3",
            ),
            TourRequest(
                "Set a cookie",
                "Set-Cookie stores a cookie in your jar (see the response's Cookies tab and the Cookies button at the top), then redirects.",
                path="/cookies/set?flavor=oatmeal&tour=1",
            ),
            TourRequest(
                "Cookies sent back",
                "The jar sends matching cookies back in a Cookie header: the echo lists what it received.",
                path="/cookies",
            ),
            TourRequest(
                "Delete a cookie",
                "A Set-Cookie with an expiry in the past removes the cookie from the jar.",
                path="/cookies/delete?flavor",
            ),
        ],
    ),
    (
        "5 · Encodings, auth and media",
        [
            TourRequest(
                "gzip-compressed response",
                "Content-Encoding: gzip: the size shows bytes on the wire next to the decoded size.",
                path="/gzip",
            ),
            TourRequest(
                "Basic auth",
                "Basic auth sends user:password base64-encoded (not encrypted!) in Authorization. See Raw.",
                path="/basic-auth/tour/secret",
                auth={"type": "basic", "username": "tour", "password": "secret"},
            ),
            TourRequest(
                "Bearer token",
                "A bearer token in Authorization: Bearer …, the usual scheme of APIs and OAuth 2.",
                path="/bearer",
                auth={"type": "bearer", "token": "tour-token-123"},
            ),
            TourRequest(
                "An HTML page",
                "HTML is shown indented, and rendered in Preview inside a sandbox where scripts can't run.",
                path="/html",
            ),
            TourRequest(
                "An XML document",
                "XML, indented with its tags coloured.",
                path="/xml",
            ),
            TourRequest(
                "A PNG image",
                "Images are shown as images; Content-Type says how to read the bytes.",
                path="/image/png",
            ),
        ],
    ),
]


def tour_create(*, user: AbstractBaseUser, workspace: Workspace, base_url: str) -> Collection:
    """Add the HTTP tour collection to `workspace`, its {{baseUrl}} set to `base_url`."""
    with transaction.atomic():
        collection = collection_create(
            user=user,
            workspace=workspace,
            name=TOUR_NAME,
            description=TOUR_DESCRIPTION,
            variables=[_kv("baseUrl", base_url.rstrip("/"))],
        )
        for folder_name, requests in TOUR:
            folder = folder_create(user=user, collection=collection, name=folder_name)
            for item in requests:
                request_create(
                    user=user,
                    collection=collection,
                    folder=folder,
                    name=item.name,
                    description=item.description,
                    method=item.method,
                    url="{{baseUrl}}" + item.path,
                    headers=item.headers,
                    body=item.body,
                    auth=item.auth,
                    options=item.options,
                )
    return collection


def account_create_with_tour(*, username: str, password: str, base_url: str, email: str = "") -> AbstractBaseUser:
    """A new account (see services.accounts.account_create) whose personal workspace has the tour."""
    with transaction.atomic():
        user = account_create(username=username, password=password, email=email)
        workspace = user.personal_workspace  # type: ignore[attr-defined]
        workspace.user_role = "owner"
        tour_create(user=user, workspace=workspace, base_url=base_url)
    return user
