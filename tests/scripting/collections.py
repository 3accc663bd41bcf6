"""Script-heavy Postman collections (v2.1) for the newman comparison. `{{base}}` is the recorder."""

from __future__ import annotations

from typing import Any

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _event(listen: str, source: str) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": source.strip("\n").split("\n")}}


def _request(name: str, method: str, url: str, *, pre: str = "", test: str = "", headers=(), body: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "url": url, "header": [{"key": k, "value": v} for k, v in headers]}
    if body is not None:
        request["body"] = {"mode": "raw", "raw": body, "options": {"raw": {"language": "json"}}}
    events = ([_event("prerequest", pre)] if pre else []) + ([_event("test", test)] if test else [])
    return {"name": name, "event": events, "request": request}


def _folder(name: str, items: list[dict[str, Any]], *, pre: str = "", test: str = "") -> dict[str, Any]:
    events = ([_event("prerequest", pre)] if pre else []) + ([_event("test", test)] if test else [])
    return {"name": name, "event": events, "item": items}


def collection(name: str, items: list[dict[str, Any]], *, pre: str = "", test: str = "", variables=()) -> dict[str, Any]:
    events = ([_event("prerequest", pre)] if pre else []) + ([_event("test", test)] if test else [])
    return {
        "info": {"name": name, "schema": SCHEMA},
        "event": events,
        "variable": [{"key": k, "value": v} for k, v in variables],
        "item": items,
    }


LOGIN_TEST = """
var body = pm.response.json();
pm.environment.set("token", body.token);
pm.test("login answered 200", function () { pm.response.to.have.status(200); });
pm.test("token is a string", function () { pm.expect(body.token).to.be.a("string").and.match(/^tok-/); });
pm.test("iteration " + pm.info.iteration + " logs in " + pm.iterationData.get("user"), function () {
    pm.expect(body.token).to.include(pm.iterationData.get("user"));
});
"""

NONCE_PRE = """
pm.sendRequest(pm.variables.replaceIn("{{base}}/nonce"), function (err, res) {
    pm.collectionVariables.set("nonce", res.json().nonce);
    pm.test("nonce fetched", function () { pm.expect(err).to.equal(null); pm.expect(res.code).to.equal(200); });
});
"""

SIGN_PRE = """
var payload = JSON.stringify({ order: pm.collectionVariables.get("nonce"), user: pm.iterationData.get("user") });
pm.request.body.update(payload);
var signature = CryptoJS.HmacSHA256(payload, pm.environment.get("secret")).toString(CryptoJS.enc.Base64);
pm.request.headers.add({ key: "X-Signature", value: signature });
pm.request.headers.upsert({ key: "X-Md5", value: CryptoJS.MD5("fixed").toString() });
pm.variables.set("signature", signature);
"""

SIGN_TEST = """
var echoed = pm.response.json();
pm.test("signature arrived", function () { pm.expect(echoed.headers["x-signature"]).to.eql(pm.variables.get("signature")); });
pm.test("body was replaced", function () { pm.expect(JSON.parse(echoed.body)).to.have.property("order", pm.collectionVariables.get("nonce")); });
pm.test("bearer token sent", function () { pm.expect(echoed.headers.authorization).to.eql("Bearer " + pm.environment.get("token")); });
"""

LOOP_TEST = """
var n = Number(pm.environment.get("loops") || 0) + 1;
pm.environment.set("loops", n);
pm.test("loop pass " + n, function () { pm.response.to.be.ok; });
if (n < 3) { postman.setNextRequest("loop"); } else { pm.environment.set("loops", 0); pm.execution.setNextRequest("libraries"); }
"""

LIBRARIES_TEST = """
var _l = require("lodash"), m = require("moment"), u = require("uuid"), c = require("chai");
pm.test("lodash", function () { pm.expect(_l.sum([1, 2, 3])).to.equal(6); pm.expect(_.map([1], function (x) { return x * 2; })).to.eql([2]); });
pm.test("moment", function () { pm.expect(m("2024-01-02T03:04:05Z").utc().format("YYYY/MM/DD")).to.equal("2024/01/02"); });
pm.test("uuid", function () { pm.expect(u.v4()).to.match(/^[0-9a-f-]{36}$/); });
pm.test("chai assert", function () { c.assert.equal(1, 1); });
pm.test("base64", function () { pm.expect(btoa("hi")).to.equal("aGk="); pm.expect(atob("aGk=")).to.equal("hi"); });
pm.test("response helpers", function () {
    pm.response.to.have.header("Content-Type");
    pm.response.to.be.json;
    pm.response.to.have.jsonBody("method", "GET");
    pm.expect(pm.response.headers.get("content-type")).to.include("json");
    pm.expect(pm.response.text()).to.include("/libraries");
});
"""

FAILING_TEST = """
pm.test("fails on purpose", function () { pm.expect(pm.response.code).to.equal(200); });
pm.test.skip("skipped test");
pm.test("passes after a failure", function () { pm.response.to.have.status(404); });
pm.test("throws inside a test", function () { undefinedFunction(); });
"""


def chained(base: str) -> dict[str, Any]:
    return collection(
        "scripted chain",
        [
            _folder(
                "auth",
                [_request("login", "POST", "{{base}}/login", test=LOGIN_TEST, body='{"user": "{{user}}"}',
                          headers=[("Content-Type", "application/json")])],
                pre='pm.variables.set("folder", "auth");',
                test='pm.test("auth folder: json", function () { pm.response.to.be.json; });',
            ),
            _folder(
                "orders",
                [
                    _request("list orders", "GET", "{{base}}/orders?nonce={{nonce}}", pre=NONCE_PRE,
                             headers=[("Authorization", "Bearer {{token}}")],
                             test='pm.test("orders listed", function () { pm.expect(pm.response.json().path).to.include(pm.collectionVariables.get("nonce")); });'),
                    _request("signed order", "POST", "{{base}}/orders", pre=SIGN_PRE, test=SIGN_TEST, body="{}",
                             headers=[("Authorization", "Bearer {{token}}"), ("Content-Type", "application/json")]),
                ],
                pre='pm.request.headers.upsert({ key: "X-Folder", value: "orders" });',
            ),
            _folder(
                "flow",
                [
                    _request("loop", "GET", "{{base}}/loop", test=LOOP_TEST),
                    _request("skipped by setNextRequest", "GET", "{{base}}/never-1"),
                    _request("libraries", "GET", "{{base}}/libraries", test=LIBRARIES_TEST),
                    _request("skip me", "GET", "{{base}}/never-2", pre="pm.execution.skipRequest();"),
                    _request("failing", "GET", "{{base}}/status/404", test=FAILING_TEST),
                    _request("last", "GET", "{{base}}/last",
                             test='postman.setNextRequest(null); pm.test("last one", function () {});'),
                    _request("after the end", "GET", "{{base}}/never-3"),
                ],
            ),
        ],
        pre='pm.request.headers.add({ key: "X-Run", value: pm.collectionVariables.get("runTag") + "-" + pm.info.requestName });',
        test='pm.test("collection: no server error", function () { pm.expect(pm.response.code).to.be.below(500); });',
        variables=[("base", base), ("runTag", "r1"), ("nonce", "none")],
    )


ENVIRONMENT = {"name": "scripts env", "values": [{"key": "secret", "value": "s3cr3t", "enabled": True}]}
DATA = [{"user": "ann"}, {"user": "bob"}]


def script_errors(base: str) -> dict[str, Any]:
    """Scripts that fail in every way newman reports: the run goes on after each."""
    return collection(
        "script errors",
        [
            _request("syntax error before", "GET", "{{base}}/syntax", pre="var x = ;"),
            _request("throws in tests", "GET", "{{base}}/throws",
                     test='pm.test("before the throw", function () {});\nnull.boom;\npm.test("never reached", function () {});'),
            _request("still runs", "POST", "{{base}}/after", body="{}",
                     test='pm.test("the run went on", function () { pm.response.to.have.status(200); });'),
        ],
        variables=[("base", base)],
    )


REFUSED_TEST = """
pm.test("status is 200", function () { pm.response.to.have.status(200); });
pm.test("does not read the response", function () { pm.expect(1).to.equal(1); });
pm.test("body", function () { pm.response.to.have.body("x"); });
pm.test("is ok", function () { pm.response.to.be.ok; });
pm.test("no headers", function () { pm.expect(pm.response.headers.count()).to.equal(0); });
try { pm.response.json(); } catch (e) { pm.test("json() throws", function () {}); }
"""


def refused(base: str, refused_base: str) -> dict[str, Any]:
    """Requests that get no response (connection refused): newman still runs their test scripts."""
    return collection(
        "refused",
        [
            _request("refused", "GET", f"{refused_base}/nothing", test=REFUSED_TEST),
            _request("refused, no tests", "GET", f"{refused_base}/nothing"),
            _request("answered", "GET", "{{base}}/after",
                     test='pm.test("the run went on", function () { pm.response.to.have.status(200); });'),
        ],
        variables=[("base", base)],
    )
