// The Postman sandbox API (pm.*) over plain data handed in by requests_app/scripting/context.py.
// Loaded once per context after chai; CryptoJS, _, uuid and moment load when first used (LAZY below).
// Protocol: n = __wc.define(function () {...}) once per script text; then per event
// __wc.runText(JSON text of [input, scripts, then]) and, as its answers ask, proceed(), resume() and deliver(replies)
// (see `run` below); outcomes come back as JSON text.
// One module past 500 lines: the Postman sandbox is one API over one state (pm, its chai plugin, the
// lazy libraries, the prototype guard and the host protocol); split, each part would reach into the others' closure.
(function () {
  "use strict";
  // The other libraries load the first time a script (or pm.js) touches their global or require()s
  // them: most scripts use none, and evaluating all four took ≈ 20 ms of every run's start. Each is
  // evaluated from its own source as it was before (global code, module/exports/define undefined,
  // its global set by itself); a value a script gave that global before stays the script's.
  var LAZY = { "crypto-js": "CryptoJS", lodash: "_", uuid: "uuid", moment: "moment" };
  var LIBS = { chai: chai };
  var librarySources = globalThis.__wcLibrarySources;
  delete globalThis.__wcLibrarySources;
  // Built-ins captured now: a script may replace them before it first uses a library.
  var globalEval = eval, hasOwn = Object.prototype.hasOwnProperty, ownDescriptor = Object.getOwnPropertyDescriptor;
  var defineOwn = Object.defineProperty;
  function library(name) {
    if (hasOwn.call(LIBS, name)) return LIBS[name];
    var global = LAZY[name], was = ownDescriptor(globalThis, global), lazy = was && was.get === lazyGetters[name];
    var globals = [module, exports, define];
    delete globalThis[global];
    module = exports = define = undefined;
    try { globalEval(librarySources[name]); } finally { module = globals[0]; exports = globals[1]; define = globals[2]; }
    LIBS[name] = globalThis[global];
    librarySources[name] = null;
    if (!lazy) {  // a script set or removed the global first: it keeps what the script left
      delete globalThis[global];
      if (was) defineOwn(globalThis, global, was);
    }
    return LIBS[name];
  }
  var lazyGetters = {};
  Object.keys(LAZY).forEach(function (name) {
    var global = LAZY[name];
    lazyGetters[name] = function () { return library(name); };
    defineOwn(globalThis, global, {
      get: lazyGetters[name],
      set: function (value) { defineOwn(globalThis, global, { value: value, writable: true, enumerable: true, configurable: true }); },
      enumerable: true, configurable: true,
    });
  });
  var MAX_CONSOLE = 200, MAX_CONSOLE_CHARS = 10000;
  var state = null;
  var compiled = [];

  function str(value) {
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    if (typeof value === "object") { try { return JSON.stringify(value); } catch (e) { return String(value); } }
    return String(value);
  }

  // ---- PropertyList: headers, query parameters, form fields ----
  function PropertyList(items) { this._items = (items || []).map(function (i) { return { key: str(i.key), value: str(i.value), disabled: !!i.disabled }; }); }
  function toItem(item, value) {
    if (typeof item === "string") {
      if (value !== undefined) return { key: item, value: str(value) };
      var at = item.indexOf(":");
      return at < 0 ? { key: item.trim(), value: "" } : { key: item.slice(0, at).trim(), value: item.slice(at + 1).trim() };
    }
    return { key: str(item && item.key), value: str(item && item.value), disabled: !!(item && item.disabled) };
  }
  function same(a, b) { return String(a).toLowerCase() === String(b).toLowerCase(); }
  PropertyList.prototype = {
    add: function (item, value) { this._items.push(toItem(item, value)); },
    append: function (item, value) { this.add(item, value); },
    upsert: function (item, value) {
      var it = toItem(item, value);
      for (var i = 0; i < this._items.length; i++) if (same(this._items[i].key, it.key)) { this._items[i].value = it.value; this._items[i].disabled = false; return; }
      this._items.push(it);
    },
    remove: function (predicate) {
      var test = typeof predicate === "function" ? predicate : function (i) { return same(i.key, typeof predicate === "object" ? predicate.key : predicate); };
      this._items = this._items.filter(function (i) { return !test(i); });
    },
    clear: function () { this._items = []; },
    get: function (key) {
      var found;
      this._items.forEach(function (i) { if (!i.disabled && same(i.key, key)) found = i.value; });
      return found;
    },
    one: function (key) { for (var i = 0; i < this._items.length; i++) if (same(this._items[i].key, key)) return this._items[i]; },
    has: function (key, value) { return this._items.some(function (i) { return !i.disabled && same(i.key, key) && (value === undefined || i.value === value); }); },
    all: function () { return this._items.slice(); },
    count: function () { return this._items.length; },
    each: function (fn) { this._items.forEach(fn); },
    filter: function (fn) { return this._items.filter(fn); },
    find: function (fn) { return this._items.find(fn); },
    map: function (fn) { return this._items.map(fn); },
    idx: function (n) { return this._items[n]; },
    toObject: function () { var o = {}; this._items.forEach(function (i) { if (!i.disabled) o[i.key] = i.value; }); return o; },
    toString: function () { return this._items.filter(function (i) { return !i.disabled; }).map(function (i) { return i.key + ": " + i.value; }).join("\n"); },
    toJSON: function () { return this._items.slice(); },
  };

  // ---- Url: "{{base}}/path?x=1" kept as written; query as a PropertyList ----
  function Url(text) { this.update(text); }
  Url.prototype = {
    update: function (text) {
      text = str(text);
      var hashAt = text.indexOf("#");
      this.hash = hashAt < 0 ? "" : text.slice(hashAt + 1);
      if (hashAt >= 0) text = text.slice(0, hashAt);
      var q = text.indexOf("?");
      this._base = q < 0 ? text : text.slice(0, q);
      var pairs = q < 0 || q === text.length - 1 ? [] : text.slice(q + 1).split("&");
      this.query = new PropertyList(pairs.map(function (p) { var e = p.indexOf("="); return e < 0 ? { key: p, value: null } : { key: p.slice(0, e), value: p.slice(e + 1) }; }));
    },
    getQueryString: function () { return this.query._items.filter(function (i) { return !i.disabled; }).map(function (i) { return i.value === "" && i._bare ? i.key : i.key + "=" + i.value; }).join("&"); },
    toString: function () { var q = this.getQueryString(); return this._base + (q ? "?" + q : "") + (this.hash ? "#" + this.hash : ""); },
    getHost: function () { return this._base.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[\/:]/)[0]; },
    getPath: function () { var rest = this._base.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ""); var at = rest.indexOf("/"); return at < 0 ? "/" : rest.slice(at); },
    getPathWithQuery: function () { var q = this.getQueryString(); return this.getPath() + (q ? "?" + q : ""); },
    addQueryParams: function (params) { var self = this; (typeof params === "string" ? params.split("&").map(function (p) { return toItem(p.replace("=", ":")); }) : params).forEach(function (p) { self.query.add(p); }); },
    removeQueryParams: function (keys) { var self = this; [].concat(keys).forEach(function (k) { self.query.remove(typeof k === "object" ? k.key : k); }); },
    toJSON: function () { return this.toString(); },
  };
  Object.defineProperty(Url.prototype, "protocol", { get: function () { var m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(this._base); return m ? m[1] : undefined; } });
  Object.defineProperty(Url.prototype, "host", { get: function () { return this.getHost().split("."); } });
  Object.defineProperty(Url.prototype, "path", { get: function () { return this.getPath().split("/").slice(1); } });

  // ---- Request ----
  function Request(data) {
    var url = new Url(data.url);
    (data.params || []).forEach(function (p) { url.query.add({ key: p.key, value: p.value, disabled: !p.enabled }); });
    this.method = data.method;
    this.headers = new PropertyList((data.headers || []).map(function (h) { return { key: h.key, value: h.value, disabled: !h.enabled }; }));
    this.body = data.body ? new Body(data.body) : undefined;
    this.auth = data.auth;
    this.name = data.name;
    Object.defineProperty(this, "url", { enumerable: true, get: function () { return url; }, set: function (v) { url = v instanceof Url ? v : new Url(typeof v === "object" && v ? v.raw || str(v) : v); } });
  }
  Request.prototype = {
    addHeader: function (h) { this.headers.add(h); },
    removeHeader: function (k) { this.headers.remove(k); },
    upsertHeader: function (h) { this.headers.upsert(h); },
    toJSON: function () { return { method: this.method, url: this.url.toString(), header: this.headers.toJSON(), body: this.body }; },
  };
  function Body(data) {
    this.mode = data.mode;
    if (data.raw !== undefined) this.raw = data.raw;
    if (data.urlencoded) this.urlencoded = new PropertyList(data.urlencoded);
    if (data.formdata) this.formdata = new PropertyList(data.formdata);
    if (data.graphql) this.graphql = data.graphql;
  }
  Body.prototype = {
    toString: function () { return this.mode === "raw" ? str(this.raw) : this.mode === "urlencoded" ? this.urlencoded._items.map(function (i) { return i.key + "=" + i.value; }).join("&") : ""; },
    update: function (v) { if (typeof v === "string") { this.mode = "raw"; this.raw = v; } else { for (var k in v) this[k] = k === "urlencoded" || k === "formdata" ? new PropertyList(v[k]) : v[k]; } },
    isEmpty: function () { return !this.mode || (this.mode === "raw" && !this.raw); },
  };
  function requestSnapshot(req) {
    var body = req.body ? { mode: req.body.mode, raw: req.body.raw, urlencoded: req.body.urlencoded && req.body.urlencoded._items, formdata: req.body.formdata && req.body.formdata._items, graphql: req.body.graphql } : null;
    return { method: JSON.stringify(str(req.method).toUpperCase()), url: JSON.stringify(req.url.toString()), headers: JSON.stringify(req.headers._items), body: JSON.stringify(body) };
  }
  function requestChanges(before, after) {
    var out = null;
    Object.keys(after).forEach(function (k) { if (after[k] !== before[k]) { out = out || {}; out[k] = JSON.parse(after[k]); } });
    return out;
  }

  // ---- Response ----
  function Response(data) {
    this.code = data.code;
    this.status = data.status;
    this.headers = new PropertyList(data.headers);
    this.responseTime = data.responseTime;
    this.responseSize = data.responseSize;
    this._body = data.body;
    this.cookies = new PropertyList(data.cookies || []);
  }
  Response.prototype = {
    text: function () { return this._body; },
    json: function () {
      try { return JSON.parse(this._body); } catch (e) { throw new SyntaxError("JSONError: " + e.message); }
    },
    reason: function () { return this.status; },
    size: function () { return { body: this.responseSize, header: 0, total: this.responseSize }; },
    toJSON: function () { return { code: this.code, status: this.status, header: this.headers._items, body: this._body, responseTime: this.responseTime }; },
  };
  Object.defineProperty(Response.prototype, "to", { get: function () { return chai.expect(this).to; } });
  Object.defineProperty(Response.prototype, "body", { get: function () { return this._body; } });

  // chai assertions on a Response, as Postman's chai-postman plugin offers them.
  chai.use(function (chai, utils) {
    var A = chai.Assertion;
    function isResponse(a) { return utils.flag(a, "object") instanceof Response; }
    function statusClass(name, test) {
      A.overwriteProperty(name, function (_super) {
        return function () {
          if (!isResponse(this)) return _super.call(this);
          var r = utils.flag(this, "object");
          this.assert(test(r.code), "expected response to " + name.replace(/([A-Z])/g, " $1").toLowerCase() + " but got " + r.code, "expected response not to be " + name + " but got " + r.code);
        };
      });
    }
    var classes = {
      info: function (c) { return c >= 100 && c < 200; }, success: function (c) { return c >= 200 && c < 300; },
      redirection: function (c) { return c >= 300 && c < 400; }, clientError: function (c) { return c >= 400 && c < 500; },
      serverError: function (c) { return c >= 500; }, error: function (c) { return c >= 400; },
      ok: function (c) { return c === 200; }, accepted: function (c) { return c === 202; }, withoutContent: function (c) { return c === 204; },
      badRequest: function (c) { return c === 400; }, unauthorized: function (c) { return c === 401; }, unauthorised: function (c) { return c === 401; },
      forbidden: function (c) { return c === 403; }, notFound: function (c) { return c === 404; }, rateLimited: function (c) { return c === 429; },
    };
    Object.keys(classes).forEach(function (name) {
      if (A.prototype.hasOwnProperty(name) || name === "ok") statusClass(name, classes[name]);
      else A.addProperty(name, function () {
        var r = utils.flag(this, "object");
        this.assert(isResponse(this) && classes[name](r.code), "expected response to be " + name + " but got " + (r && r.code), "expected response not to be " + name);
      });
    });
    A.addProperty("json", function () {
      var r = utils.flag(this, "object"), ok = true;
      try { JSON.parse(r._body); } catch (e) { ok = false; }
      this.assert(isResponse(this) && ok, "expected response body to be valid json", "expected response body not to be valid json");
    });
    A.addMethod("status", function (expected) {
      var r = utils.flag(this, "object");
      if (typeof expected === "string") this.assert(r.status === expected, "expected response to have status reason #{exp} but got #{act}", "expected response not to have status reason #{exp}", expected, r.status);
      else this.assert(r.code === expected, "expected response to have status code #{exp} but got #{act}", "expected response not to have status code #{exp} but got #{act}", expected, r.code);
    });
    A.addMethod("header", function (key, value) {
      var r = utils.flag(this, "object");
      if (arguments.length < 2) this.assert(r.headers.has(key), "expected response to have header " + key, "expected response not to have header " + key);
      else this.assert(r.headers.get(key) === value, "expected response to have header " + key + " with value #{exp} but got #{act}", "expected response not to have header " + key + " with value #{exp}", value, r.headers.get(key));
    });
    A.addMethod("body", function (expected) {
      var r = utils.flag(this, "object");
      if (arguments.length === 0) this.assert(!!r._body, "expected response to have content in body", "expected response to not have content in body");
      else if (expected instanceof RegExp) this.assert(expected.test(r._body), "expected response body text to match #{exp}", "expected response body text not to match #{exp}", expected);
      else if (typeof expected === "string") this.assert(r._body === expected, "expected response body to equal #{exp} but got #{act}", "expected response body not to equal #{exp}", expected, r._body);
      else this.assert(utils.eql(JSON.parse(r._body), expected), "expected response body json to equal #{exp} but got #{act}", "expected response body json not to equal #{exp}", expected, JSON.parse(r._body));
    });
    A.addMethod("jsonBody", function (path, value) {
      var r = utils.flag(this, "object"), parsed;
      try { parsed = JSON.parse(r._body); } catch (e) { this.assert(false, "expected response body to be a valid json but got error " + e.message); return; }
      if (arguments.length === 0) return;
      if (typeof path === "object") { this.assert(utils.eql(parsed, path), "expected response body json to equal #{exp} but got #{act}", "expected response body json not to equal #{exp}", path, parsed); return; }
      var lodash = library("lodash"), has = lodash.has(parsed, path), got = lodash.get(parsed, path);
      if (arguments.length === 1) this.assert(has, "expected #{act} in response to contain property #{exp}", "expected #{act} in response to not contain property #{exp}", path, parsed);
      else this.assert(has && utils.eql(got, value), "expected response to have property with a value #{exp} but got #{act}", "expected response not to have property with a value #{exp}", value, got);
    });
    A.addMethod("responseTime", function (ms) { var r = utils.flag(this, "object"); this.assert(r.responseTime <= ms, "expected response time to be at most " + ms + " ms but got " + r.responseTime, "expected response time to be more than " + ms); });
  });

  // ---- variable scopes ----
  var SCOPE_NAMES = ["globals", "collectionVariables", "environment", "iterationData", "_variables"];
  function Scope(name) { this._name = name; }
  Scope.prototype = {
    _vals: function () { return state.vars[this._name]; },
    get: function (k) { var v = this._vals(); return Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined; },
    set: function (k, v) { this._vals()[str(k)] = v; state.changed[this._name] = true; },
    unset: function (k) { delete this._vals()[k]; state.changed[this._name] = true; },
    has: function (k) { return Object.prototype.hasOwnProperty.call(this._vals(), k); },
    clear: function () { state.vars[this._name] = {}; state.changed[this._name] = true; },
    toObject: function () { return Object.assign({}, this._vals()); },
    toJSON: function () { return this.toObject(); },
    replaceIn: function (t) { return replaceIn(t, [this._vals()]); },
  };
  function chain() { return SCOPE_NAMES.map(function (n) { return state.vars[n]; }).reverse(); }
  function replaceIn(template, scopes) {
    if (typeof template !== "string") return template;
    return template.replace(/\{\{([^{}]+)\}\}/g, function (whole, name) {
      for (var i = 0; i < scopes.length; i++) if (Object.prototype.hasOwnProperty.call(scopes[i], name)) return str(scopes[i][name]);
      return whole;
    });
  }
  var local = new Scope("_variables");
  var variables = {
    get: function (k) { var s = chain(); for (var i = 0; i < s.length; i++) if (Object.prototype.hasOwnProperty.call(s[i], k)) return s[i][k]; },
    has: function (k) { return chain().some(function (s) { return Object.prototype.hasOwnProperty.call(s, k); }); },
    set: function (k, v) { local.set(k, v); }, unset: function (k) { local.unset(k); },
    toObject: function () { return Object.assign.apply(null, [{}].concat(chain().slice().reverse())); },
    replaceIn: function (t) { return replaceIn(t, chain()); },
  };

  // ---- console, tests, sendRequest ----
  function log(level) {
    return function () {
      if (state.console.length >= MAX_CONSOLE) return;
      var text = Array.prototype.map.call(arguments, function (a) { return typeof a === "string" ? a : a instanceof Error ? String(a) : str(a); }).join(" ");
      state.console.push({ level: level, text: text.slice(0, MAX_CONSOLE_CHARS) });
    };
  }
  var consoleObj = { log: log("log"), info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") };

  function errorText(e) {
    if (e && e.name === "AssertionError") return e.message;
    return e && e.name ? e.name + ": " + e.message : String(e);
  }
  function test(name, fn) {
    var entry = { name: str(name), passed: true, skipped: false, error: "" };
    state.tests.push(entry);
    if (typeof fn !== "function") return pm;
    function fail(e) { entry.passed = false; entry.error = errorText(e); }
    try {
      if (fn.length > 0) fn(function (e) { if (e) fail(e); });
      else { var out = fn(); if (out && typeof out.then === "function") out.then(null, fail); }
    } catch (e) { fail(e); }
    return pm;
  }
  test.skip = function (name) { state.tests.push({ name: str(name), passed: true, skipped: true, error: "" }); return pm; };

  function sendRequest(req, callback) {
    if (state.sent >= state.maxSendRequests) throw named("SendRequestLimit", "a script event may make at most " + state.maxSendRequests + " pm.sendRequest calls");
    state.sent += 1;
    var spec = typeof req === "string" ? { url: req, method: "GET" } : req || {};
    var header = spec.header || spec.headers || [];
    if (header instanceof PropertyList) header = header._items;
    else if (!Array.isArray(header)) header = Object.keys(header).map(function (k) { return { key: k, value: str(header[k]) }; });
    var body = spec.body || null;
    if (body && body.urlencoded instanceof PropertyList) body = { mode: "urlencoded", urlencoded: body.urlencoded._items };
    var id = state.pending.length + state.delivered;
    var out = { id: id, url: str(spec.url), method: str(spec.method || "GET").toUpperCase(), headers: header.map(function (h) { return { key: str(h.key), value: str(h.value), disabled: !!h.disabled }; }), body: body };
    state.pending.push(out);
    if (typeof callback === "function") { state.callbacks[id] = callback; return undefined; }
    return new Promise(function (resolve, reject) { state.callbacks[id] = function (err, res) { if (err) reject(err); else resolve(res); }; });
  }

  function named(name, message) { var e = new Error(message); e.name = name; return e; }

  // Timers run when the script (or callback) has finished, in delay order, still inside its time limit.
  function setTimeoutLocal(fn, delay) {
    var args = Array.prototype.slice.call(arguments, 2);
    state.timerId += 1;
    state.timers.push({ id: state.timerId, at: Number(delay) || 0, fn: fn, args: args });
    return state.timerId;
  }
  function clearTimeoutLocal(id) { if (state) state.timers = state.timers.filter(function (t) { return t.id !== id; }); }
  function runTimers() {
    while (state.timers.length) {
      state.timers.sort(function (a, b) { return a.at - b.at || a.id - b.id; });
      var timer = state.timers.shift();
      try { if (typeof timer.fn === "function") timer.fn.apply(null, timer.args); } catch (e) { state.errors.push(errorRecord(e, "timer")); }
    }
  }

  function requireLib(name) {
    if (typeof name === "string" && (hasOwn.call(LIBS, name) || hasOwn.call(LAZY, name))) return library(name);
    throw named("ModuleNotAvailable", "require('" + name + "'): the script sandbox offers only " + Object.keys(LAZY).concat("chai").sort().join(", "));
  }

  function setNext(name) { state.next = { set: true, value: name === null || name === undefined ? null : str(name) }; }

  // ---- guard against changes to the built-in prototypes (prototype pollution) ----
  var GUARDED = [["Object.prototype", Object.prototype], ["Array.prototype", Array.prototype], ["Function.prototype", Function.prototype],
    ["String.prototype", String.prototype], ["Number.prototype", Number.prototype], ["Boolean.prototype", Boolean.prototype],
    ["RegExp.prototype", RegExp.prototype], ["Date.prototype", Date.prototype], ["Promise.prototype", Promise.prototype],
    ["Error.prototype", Error.prototype], ["JSON", JSON], ["Object", Object], ["Array", Array], ["Math", Math]];
  // Built-ins captured at load, so that restoring works even when a script broke Array.prototype.push.
  var ownKeys = Reflect.ownKeys, describe = Object.getOwnPropertyDescriptor, defineProp = Object.defineProperty;
  var isExtensible = Object.isExtensible, keyName = function (k) { return typeof k === "symbol" ? "@@" + k.description : k; };
  function snapshot() {
    var all = [];
    for (var i = 0; i < GUARDED.length; i++) {
      var d = new Map(), keys = ownKeys(GUARDED[i][1]);
      for (var j = 0; j < keys.length; j++) d.set(keys[j], describe(GUARDED[i][1], keys[j]));
      all[i] = d;
    }
    return all;
  }
  function sameDescriptor(a, b) { return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable; }
  var pristine = snapshot();
  var mapHas = Map.prototype.has, mapGet = Map.prototype.get, mapKeys = Map.prototype.keys, call = Function.prototype.call;
  // The common case first, allocating little (no Map iteration): each guarded object has as many
  // own keys as at load and each of those keys the same descriptor. Anything else goes to the
  // thorough pass, which names and undoes each change.
  var flatObjects = [], flatKeys = [], flatWas = [], keyCounts = [];
  for (var g = 0; g < GUARDED.length; g++) {
    var guardedKeys = ownKeys(GUARDED[g][1]);
    keyCounts[g] = guardedKeys.length;
    for (var k = 0; k < guardedKeys.length; k++) {
      flatObjects[flatObjects.length] = GUARDED[g][1];
      flatKeys[flatKeys.length] = guardedKeys[k];
      flatWas[flatWas.length] = describe(GUARDED[g][1], guardedKeys[k]);
    }
  }
  function prototypesUnchanged() {
    for (var i = 0; i < GUARDED.length; i++) {
      if (ownKeys(GUARDED[i][1]).length !== keyCounts[i] || !isExtensible(GUARDED[i][1])) return false;
    }
    for (var j = 0; j < flatKeys.length; j++) {
      var now = describe(flatObjects[j], flatKeys[j]);
      if (!now || !sameDescriptor(now, flatWas[j])) return false;
    }
    return true;
  }
  function restorePrototypes() {
    if (prototypesUnchanged()) return [];
    var changed = [];
    for (var i = 0; i < GUARDED.length; i++) {
      var before = pristine[i], obj = GUARDED[i][1], keys = ownKeys(obj), j;
      for (j = 0; j < keys.length; j++) {
        if (!Reflect.apply(mapHas, before, [keys[j]])) {
          changed[changed.length] = GUARDED[i][0] + "." + keyName(keys[j]);
          try { delete obj[keys[j]]; } catch (e) { /* frozen by the script */ }
        }
      }
      var it = Reflect.apply(mapKeys, before, []), step;
      while (!(step = it.next()).done) {
        var was = Reflect.apply(mapGet, before, [step.value]), now = describe(obj, step.value);
        if (!now || !sameDescriptor(now, was)) {
          changed[changed.length] = GUARDED[i][0] + "." + keyName(step.value);
          try { defineProp(obj, step.value, was); } catch (e) { /* not configurable */ }
        }
      }
      if (!isExtensible(obj)) changed[changed.length] = GUARDED[i][0] + " (frozen)";
    }
    return changed;
  }

  function errorRecord(e, phase) {
    var rec = { owner: state.owner, name: (e && e.name) || "Error", message: e && e.message !== undefined ? str(e.message) : str(e), line: null, column: null, phase: phase };
    var stack = e && typeof e.stack === "string" ? e.stack : "";
    var m = /wc-script-\d+\.js:(\d+):(\d+)/.exec(stack);
    if (m) { rec.line = Number(m[1]) - 1; rec.column = Number(m[2]); }
    return rec;
  }

  var pm, postman;

  var wc = {
    define: function (fn) { compiled.push(fn); return compiled.length - 1; },
    begin: function (input) {
      crypto.__seed(input.seed[0], input.seed[1], input.seed[2], input.seed[3]);
      state = {
        vars: input.vars, changed: {}, tests: [], console: [], errors: [], pending: [], callbacks: {}, delivered: 0, sent: 0, timers: [], timerId: 0,
        maxSendRequests: input.maxSendRequests, next: { set: false, value: null }, skip: false,
        event: input.event, request: new Request(input.request), response: input.response ? new Response(input.response) : undefined,
      };
      state.requestBefore = requestSnapshot(state.request);
      var info = Object.freeze({ eventName: input.event, iteration: input.info.iteration, iterationCount: input.info.iterationCount, requestName: input.info.requestName, requestId: input.info.requestId });
      var execution = { setNextRequest: setNext, skipRequest: function () { if (input.event !== "prerequest") throw new Error("pm.execution.skipRequest() works only in a pre-request script"); state.skip = true; }, location: [] };
      pm = {
        environment: new Scope("environment"), collectionVariables: new Scope("collectionVariables"), globals: new Scope("globals"),
        iterationData: new Scope("iterationData"), variables: variables, request: state.request, response: state.response, info: info,
        test: test, expect: chai.expect, sendRequest: sendRequest, execution: execution, require: requireLib,
        cookies: new PropertyList(input.cookies || []),
        visualizer: { set: function () {}, clear: function () {} },
      };
      postman = {
        setNextRequest: setNext,
        setEnvironmentVariable: function (k, v) { pm.environment.set(k, v); }, getEnvironmentVariable: function (k) { return pm.environment.get(k); },
        clearEnvironmentVariable: function (k) { pm.environment.unset(k); }, setGlobalVariable: function (k, v) { pm.globals.set(k, v); },
        getGlobalVariable: function (k) { return pm.globals.get(k); }, clearGlobalVariable: function (k) { pm.globals.unset(k); },
        getResponseHeader: function (k) { return state.response && state.response.headers.get(k); },
      };
      globalThis.pm = pm; globalThis.postman = postman; globalThis.console = consoleObj; globalThis.require = requireLib;
      globalThis.setTimeout = setTimeoutLocal; globalThis.clearTimeout = clearTimeoutLocal;
      globalThis.tests = {};
      globalThis.environment = pm.environment.toObject(); globalThis.globals = pm.globals.toObject(); globalThis.data = pm.iterationData.toObject();
      globalThis.request = { url: state.request.url.toString(), method: state.request.method, headers: state.request.headers.toObject(), name: input.info.requestName };
      if (state.response) {
        globalThis.responseBody = state.response._body; globalThis.responseCode = { code: state.response.code, name: state.response.status };
        globalThis.responseHeaders = state.response.headers.toObject(); globalThis.responseTime = state.response.responseTime;
      }
      return true;
    },
    // One evaluation per script (each under its own time limit): run(input, scripts, then) begins
    // the event and runs its first script; proceed() the next one, resume() settles a script's
    // promise jobs (they run when an evaluation ends), deliver(replies) hands pm.sendRequest
    // replies to their callbacks. Each returns JSON: {more} / {resume} / {pending: [...]} / {done},
    // with `finished`: the outcomes of the events that ended during that evaluation.
    // `then` folds the next event into the same evaluation (a request's test scripts and the next
    // request's pre-request scripts: one V8 round trip per request instead of two) when the first
    // event ended in this evaluation without pm.sendRequest, setNextRequest or a replaced context,
    // within `then.budget` ms. The host runs the first event again on its own if the evaluation fails.
    runText: function (text) { var args = parseJSON(text); return wc.run(args[0], args[1], args[2]); },
    run: function (input, scripts, then) {
      evalStarted = Date.now();
      wc.begin(input);
      Object.assign(state, { scripts: scripts, cursor: 0, then: then || null, evals: 1, finished: [] });
      return runScript();
    },
    proceed: function () { evalStarted = Date.now(); state.evals += 1; return runScript(); },
    resume: function () { evalStarted = Date.now(); state.evals += 1; state.settling = false; return after(); },
    deliver: function (replies) {
      evalStarted = Date.now();
      state.evals += 1;
      replies.forEach(function (r) {
        var cb = state.callbacks[r.id];
        delete state.callbacks[r.id];
        if (!cb) return;
        var err = r.error ? Object.assign(new Error(r.error.message), { code: r.error.code, kind: r.error.kind }) : null;
        try { cb(err, r.response ? new Response(r.response) : undefined); } catch (e) { state.errors.push(errorRecord(e, "callback")); }
      });
      return after();
    },
  };
  var evalStarted = 0, parseJSON = JSON.parse;

  function runScript() {
    var script = state.scripts[state.cursor];
    state.cursor += 1;
    state.owner = script[1];
    state.settling = script[2];
    globalThis.tests = {};
    if (script[0] >= 0) {
      try { compiled[script[0]].call(globalThis); } catch (e) { state.errors.push(errorRecord(e, "script")); }
      var legacy = globalThis.tests;
      if (legacy && typeof legacy === "object") Object.keys(legacy).forEach(function (k) { state.tests.push({ name: k, passed: !!legacy[k], skipped: false, error: legacy[k] ? "" : "expected " + k + " to be truthy" }); });
    }
    return after();
  }

  // After a script (or its callbacks): timers, the prototype check, then what the host does next.
  function after() {
    if (state.settling) return reply({ resume: true });  // timers wait for resume()
    runTimers();
    var polluted = restorePrototypes();
    if (polluted.length) {
      var frozen = polluted.some(function (p) { return p.indexOf("(frozen") >= 0; });
      state.errors.push({ name: "PrototypePollution", message: "the script changed built-in objects (" + polluted.slice(0, 5).join(", ") + (polluted.length > 5 ? ", …" : "") + "); " + (frozen ? "the script context was replaced" : "the change was undone"), line: null, column: null, owner: state.owner, phase: "script", fatal: frozen });
    }
    var p = state.pending;
    if (p.length) { state.delivered += p.length; state.pending = []; return reply({ pending: p }); }
    if (state.cursor < state.scripts.length) return reply({ more: true });
    return finish();
  }

  function finish() {
    var done = state, then = state.then, changedVars = {};
    Object.keys(done.changed).forEach(function (n) { changedVars[n] = done.vars[n]; });
    var out = {
      tests: done.tests, console: done.console, errors: done.errors, vars: changedVars,
      next: done.next, skip: done.skip, request: requestChanges(done.requestBefore, requestSnapshot(done.request)),
    };
    done.finished.push(out);
    var fold = then && done.evals === 1 && done.delivered === 0 && !done.next.set && !done.skip &&
      !done.errors.some(function (e) { return e.fatal; }) && Date.now() - evalStarted < then.budget;
    if (!fold) return reply({ done: true });
    var input = then.input;
    input.vars = done.vars;  // the next event sees what this one set
    wc.begin(input);
    Object.assign(state, { scripts: then.scripts, cursor: 0, then: null, evals: 1, finished: done.finished });
    return runScript();
  }

  function reply(data) {
    data.finished = state.finished;
    state.finished = [];
    if (data.done) state = null;
    return JSON.stringify(data, function (k, v) { return v === undefined ? null : v; });
  }
  Object.defineProperty(globalThis, "__wc", { value: Object.freeze(wc), writable: false, configurable: false, enumerable: false });
})();
