"""`{{name}}` substitution in requests, Postman style.

Usage::

    from requests_app.engine.variables import resolve_spec, resolve_text, find_variables

    find_variables("{{base}}/users/{{ id }}")              # ["base", "id"]
    resolve_text("{{base}}/users", {"base": "http://{{host}}", "host": "127.0.0.1"})
    # -> ("http://127.0.0.1/users", [])
    resolve_text("{{nope}}", {})                           # -> ("{{nope}}", ["nope"])

    spec, unresolved = resolve_spec(spec, [globals_, environment, collection])  # later scope wins
    # unresolved: ["host", ...], each name left as {{host}} once, in order of appearance

Rules:

- ``{{ name }}`` may have spaces inside the braces; ``{{`` without ``}}`` is plain text.
- A variable's value may use other variables; they are resolved recursively. A cycle raises
  VariableCycleError ("Variable cycle: a → b → a"); nesting deeper than MAX_DEPTH raises
  VariableDepthError (a VariableCycleError, so one ``except`` handles both).
- Unknown names stay as written and are reported. Values are not re-scanned after substitution,
  so a value that contains ``{{x}}`` literally (after its own resolution) is sent as is.
- Dynamic variables (``$uuid``, ``$randomInt``, ...; see DYNAMIC) give a fresh value at each
  occurrence, except ``$timestamp`` and ``$isoTimestamp``, which are fixed for one request
  (pass the same ``dynamic_cache`` dict to every call for that request). A variable defined in a
  scope wins over a dynamic one of the same name.
- Each user variable has one value per request: ``{{id}}`` used twice with ``id = {{$uuid}}``
  gives the same uuid both times. This also keeps the work linear in the number of variables.
- A result longer than MAX_RESOLVED_CHARS raises VariableExpansionError (a ValueError), so a
  "billion laughs" set of variables cannot eat the server's memory.
"""

from __future__ import annotations

import random
import re
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from requests_app.engine.spec import Auth, Body, FormField, KeyValue, Options, RequestSpec

MAX_DEPTH = 32
MAX_RESOLVED_CHARS = 10 * 1024 * 1024
# All text built while resolving one request (every field and nested value) stays under this many
# times MAX_RESOLVED_CHARS: a chain of variables each repeating a large one cannot add up.
TOTAL_FACTOR = 4

# Names are anything but braces and line breaks, trimmed; `{{}}` and `{{ }}` are plain text.
_VARIABLE = re.compile(r"\{\{\s*([^{}\s](?:[^{}\r\n]*[^{}\s])?)\s*\}\}")


class VariableCycleError(Exception):
    """Variables refer to each other in a loop; `chain` lists the names, first and last equal."""

    def __init__(self, name: str, chain: Sequence[str], message: str = "") -> None:
        self.name = name
        self.chain = list(chain)
        self.message = message or "Variable cycle: " + " → ".join(self.chain)
        self.field = ""  # set by resolve_spec: which part of the request, e.g. "headers[2].value"
        super().__init__(self.message)


class VariableDepthError(VariableCycleError):
    """Variables nest deeper than MAX_DEPTH; treated like a cycle (nobody nests that deep on purpose)."""

    def __init__(self, name: str, chain: Sequence[str]) -> None:
        shown = list(chain)
        if len(shown) > 6:
            shown = [*shown[:3], "…", *shown[-2:]]
        super().__init__(
            name,
            chain,
            f"Variables nest more than {MAX_DEPTH} levels deep: " + " → ".join(shown),
        )


class VariableExpansionError(ValueError):
    """Resolving variables would produce a text longer than the limit."""

    def __init__(self, limit: int, name: str = "", *, total: bool = False) -> None:
        self.limit = limit
        self.name = name
        self.field = ""  # set by resolve_spec
        where = f" (while expanding {{{{{name}}}}})" if name else ""
        what = "more text in all than" if total else "a text longer than"
        self.message = (
            f"Resolving variables would make {what} {_describe_size(limit)}{where}; "
            "check for variables that repeat other variables."
        )
        super().__init__(self.message)


def _describe_size(chars: int) -> str:
    if chars >= 1024 * 1024 and chars % (1024 * 1024) == 0:
        return f"{chars // (1024 * 1024)} MiB"
    return f"{chars:,} characters"


# ---------------------------------------------------------------- dynamic variables

_rng = random.SystemRandom()

_FIRST_NAMES = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Tim")
_LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Perlman")
_WORDS = (
    "alpha", "bravo", "cobalt", "delta", "ember", "fjord", "granite", "harbor", "iris", "juniper", "kelp", "lumen",
)
_COLORS = ("red", "orange", "yellow", "green", "blue", "indigo", "violet", "black", "white", "teal")
_CITIES = ("Lisbon", "Nairobi", "Osaka", "Quito", "Reykjavik", "Tallinn", "Toronto", "Wellington")
_COUNTRIES = (
    ("Portugal", "PT"), ("Kenya", "KE"), ("Japan", "JP"), ("Ecuador", "EC"), ("Iceland", "IS"), ("Canada", "CA"),
)
_CURRENCIES = ("EUR", "USD", "JPY", "GBP", "CHF", "KES", "CAD")
_ALPHANUMERIC = string.ascii_lowercase + string.digits


# uuid and secrets are imported by the generators that need them: most runs use neither, and a
# run's process pays for every import at start-up.
def _uuid4() -> str:
    import uuid

    return str(uuid.uuid4())


def _random_password() -> str:
    import secrets

    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(15))


def _iso_timestamp(now: float) -> str:
    # Postman's shape: milliseconds and a Z suffix, e.g. 2024-05-01T12:34:56.789Z
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _random_date(days: int) -> str:
    moment = datetime.now(UTC) + timedelta(days=days * _rng.uniform(0.01, 1))
    return moment.strftime("%a %b %d %Y %H:%M:%S GMT+0000")


def _random_words() -> str:
    return " ".join(_rng.choice(_WORDS) for _ in range(_rng.randint(2, 5)))


_FRESH_GENERATORS: dict[str, Callable[[], str]] = {
    "$guid": _uuid4,
    "$uuid": _uuid4,
    "$randomUUID": _uuid4,
    "$randomInt": lambda: str(_rng.randint(0, 1000)),
    "$randomAlphaNumeric": lambda: _rng.choice(_ALPHANUMERIC),
    "$randomBoolean": lambda: _rng.choice(("true", "false")),
    "$randomHexadecimal": lambda: _rng.choice("0123456789abcdef"),
    "$randomFirstName": lambda: _rng.choice(_FIRST_NAMES),
    "$randomLastName": lambda: _rng.choice(_LAST_NAMES),
    "$randomFullName": lambda: f"{_rng.choice(_FIRST_NAMES)} {_rng.choice(_LAST_NAMES)}",
    "$randomUserName": lambda: (
        f"{_rng.choice(_FIRST_NAMES)}.{_rng.choice(_LAST_NAMES)}{_rng.randint(1, 99)}".lower()
    ),
    "$randomEmail": lambda: (
        f"{_rng.choice(_FIRST_NAMES)}.{_rng.choice(_LAST_NAMES)}{_rng.randint(1, 999)}@example.com".lower()
    ),
    "$randomPassword": _random_password,
    "$randomPhoneNumber": lambda: f"{_rng.randint(200, 999)}-{_rng.randint(200, 999)}-{_rng.randint(0, 9999):04d}",
    "$randomWord": lambda: _rng.choice(_WORDS),
    "$randomWords": _random_words,
    "$randomLoremWord": lambda: _rng.choice(_WORDS),
    "$randomLoremSentence": lambda: _random_words().capitalize() + ".",
    "$randomColor": lambda: _rng.choice(_COLORS),
    "$randomHexColor": lambda: f"#{_rng.randrange(0x1000000):06x}",
    "$randomCity": lambda: _rng.choice(_CITIES),
    "$randomCountry": lambda: _rng.choice(_COUNTRIES)[0],
    "$randomCountryCode": lambda: _rng.choice(_COUNTRIES)[1],
    "$randomCurrencyCode": lambda: _rng.choice(_CURRENCIES),
    "$randomPrice": lambda: f"{_rng.randint(1, 999)}.{_rng.randint(0, 99):02d}",
    "$randomIP": lambda: ".".join(str(_rng.randint(1, 254)) for _ in range(4)),
    "$randomIPV6": lambda: ":".join(f"{_rng.randrange(0x10000):x}" for _ in range(8)),
    "$randomMACAddress": lambda: ":".join(f"{_rng.randrange(256):02x}" for _ in range(6)),
    "$randomSemver": lambda: f"{_rng.randint(0, 9)}.{_rng.randint(0, 9)}.{_rng.randint(0, 9)}",
    "$randomDomainName": lambda: f"{_rng.choice(_WORDS)}-{_rng.choice(_WORDS)}.example",
    "$randomUrl": lambda: f"https://{_rng.choice(_WORDS)}-{_rng.choice(_WORDS)}.example",
    "$randomLatitude": lambda: f"{_rng.uniform(-90, 90):.4f}",
    "$randomLongitude": lambda: f"{_rng.uniform(-180, 180):.4f}",
    "$randomDateFuture": lambda: _random_date(365),
    "$randomDatePast": lambda: _random_date(-365),
}

# Fixed for one request: computed once and kept in the request's dynamic_cache.
_REQUEST_FIXED = ("$timestamp", "$isoTimestamp")
_NOW_KEY = "$now"  # the instant both fixed values come from, so they agree

DYNAMIC: frozenset[str] = frozenset({*_FRESH_GENERATORS, *_REQUEST_FIXED})


def _dynamic_value(name: str, cache: dict[str, str]) -> str:
    if name in _FRESH_GENERATORS:
        return _FRESH_GENERATORS[name]()
    if name not in cache:
        now = float(cache.setdefault(_NOW_KEY, repr(time.time())))
        cache[name] = str(int(now)) if name == "$timestamp" else _iso_timestamp(now)
    return cache[name]


# ---------------------------------------------------------------- resolution


def find_variables(text: str) -> list[str]:
    """Distinct variable names in `text`, in order of first appearance (for highlighting)."""
    return list(dict.fromkeys(m.group(1) for m in _VARIABLE.finditer(text)))


def merge_scopes(scopes: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """One mapping from scopes ordered broad to narrow (globals, environment...): later wins."""
    merged: dict[str, str] = {}
    for scope in scopes:
        merged.update(scope)
    return merged


class _Resolver:
    """Resolution state for one request: memoised variable values, the dynamic cache, unknown names."""

    def __init__(self, variables: Mapping[str, str], dynamic_cache: dict[str, str], max_chars: int) -> None:
        self.variables = variables
        self.dynamic_cache = dynamic_cache
        self.max_chars = max_chars
        self.values: dict[str, str] = {}
        self.unresolved: dict[str, None] = {}  # ordered set
        self.used: set[str] = set()  # user variables substituted, nested ones included
        self.chain: list[str] = []
        self.built_chars = 0
        self.max_total_chars = max_chars * TOTAL_FACTOR

    def text(self, text: str) -> str:
        if "{{" not in text:
            return text
        pieces: list[str] = []
        length = 0
        position = 0
        for match in _VARIABLE.finditer(text):
            name = match.group(1)
            value = self.value(name)
            if value is None:
                value = match.group(0)
                self.unresolved.setdefault(name, None)
            pieces.append(text[position : match.start()])
            pieces.append(value)
            length += len(pieces[-2]) + len(value)
            self._check_length(length, name)
            position = match.end()
        pieces.append(text[position:])
        length += len(pieces[-1])
        self._check_length(length, "")
        pieces = [piece for piece in pieces if piece]
        if len(pieces) == 1:
            return pieces[0]  # "{{name}}" alone: the value itself, no copy
        # Values are memoised, so memory is what gets built: cap the total for the whole request.
        self.built_chars += length
        if self.built_chars > self.max_total_chars:
            raise VariableExpansionError(self.max_total_chars, self._expanding(""), total=True)
        return "".join(pieces)

    def _expanding(self, name: str) -> str:
        return self.chain[-1] if self.chain else name

    def _check_length(self, length: int, name: str) -> None:
        if length > self.max_chars:
            raise VariableExpansionError(self.max_chars, self._expanding(name))

    def value(self, name: str) -> str | None:
        if name in self.variables:
            self.used.add(name)
        if name in self.values:
            return self.values[name]
        if name not in self.variables:
            return _dynamic_value(name, self.dynamic_cache) if name in DYNAMIC else None
        if name in self.chain:
            cycle = [*self.chain[self.chain.index(name) :], name]
            raise VariableCycleError(name, cycle)
        if len(self.chain) >= MAX_DEPTH:
            raise VariableDepthError(name, [*self.chain, name])
        self.chain.append(name)
        try:
            resolved = self.text(str(self.variables[name]))
        finally:
            self.chain.pop()
        self.values[name] = resolved
        return resolved


def resolve_text(
    text: str,
    variables: Mapping[str, str],
    *,
    dynamic_cache: dict[str, str] | None = None,
    max_chars: int = MAX_RESOLVED_CHARS,
) -> tuple[str, list[str]]:
    """(text with `{{name}}` resolved, distinct unresolved names in order of appearance).

    Raises VariableCycleError (or its VariableDepthError) and VariableExpansionError.
    """
    resolver = _Resolver(variables, {} if dynamic_cache is None else dynamic_cache, max_chars)
    return resolver.text(text), list(resolver.unresolved)


def _resolve_field(resolver: _Resolver, text: str, field_path: str) -> str:
    try:
        return resolver.text(text)
    except (VariableCycleError, VariableExpansionError) as exc:
        exc.field = field_path
        raise


def _resolve_pairs(resolver: _Resolver, pairs: list[KeyValue], path: str) -> list[KeyValue]:
    # Disabled rows are not sent, so they are copied untouched and cause no warnings.
    return [
        KeyValue(
            _resolve_field(resolver, kv.key, f"{path}[{i}].key"),
            _resolve_field(resolver, kv.value, f"{path}[{i}].value"),
            True,
        )
        if kv.enabled
        else KeyValue(kv.key, kv.value, False)
        for i, kv in enumerate(pairs)
    ]


def _resolve_form_field(resolver: _Resolver, form_field: FormField, path: str) -> FormField:
    if not form_field.enabled:
        return replace(form_field)
    key = _resolve_field(resolver, form_field.key, f"{path}.key")
    if form_field.file is not None:
        # File contents are data, never templates.
        return replace(form_field, key=key, file=replace(form_field.file))
    return replace(form_field, key=key, value=_resolve_field(resolver, form_field.value, f"{path}.value"))


# The copies below are built field by field rather than with dataclasses.replace, which costs
# several times more and runs a few times per request; a test checks that no field is left out.


def _resolve_body(resolver: _Resolver, body: Body) -> Body:
    mode = body.mode
    text, fields, query, variables = body.text, list(body.fields), body.query, body.variables
    if mode in ("raw", "json"):
        text = _resolve_field(resolver, text, "body.text")
    elif mode in ("urlencoded", "multipart"):
        fields = [_resolve_form_field(resolver, f, f"body.fields[{i}]") for i, f in enumerate(fields)]
    elif mode == "graphql":
        query = _resolve_field(resolver, query, "body.query")
        variables = _resolve_field(resolver, variables, "body.variables")
    # binary bytes (and "none") are sent as they are.
    return replace(body, text=text, fields=fields, query=query, variables=variables)


# Which Auth fields each type sends; fields left over from another type are not resolved.
_AUTH_FIELDS = {
    "basic": ("username", "password"),
    "digest": ("username", "password"),
    "bearer": ("token",),
    "apikey": ("key", "value"),
    "awsv4": ("access_key", "secret_key", "session_token", "region", "service"),
    "oauth2": ("token_url", "auth_url", "client_id", "client_secret", "scope", "audience", "resource", "username",
               "password", "token"),
}


def _resolve_auth(resolver: _Resolver, auth: Auth) -> Auth:
    resolved = replace(auth, extra_params=[replace(kv) for kv in auth.extra_params])
    for name in _AUTH_FIELDS.get(auth.type, ()):
        setattr(resolved, name, _resolve_field(resolver, getattr(auth, name), f"auth.{name}"))
    return resolved


def _copy_options(options: Options) -> Options:
    return Options(
        follow_redirects=options.follow_redirects,
        max_redirects=options.max_redirects,
        timeout_ms=options.timeout_ms,
        verify_tls=options.verify_tls,
        use_cookies=options.use_cookies,
        max_response_bytes=options.max_response_bytes,
    )


def resolve_spec(
    spec: RequestSpec, scopes: Sequence[Mapping[str, str]], *, used: set[str] | None = None
) -> tuple[RequestSpec, list[str]]:
    """A NEW spec with variables resolved in everything that is sent, and the distinct names left
    unresolved (sent as written, `{{name}}`, as Postman does; the engine reports them). `used`,
    when given, collects the names that were resolved (the secret-host check reads it).

    Resolved: url, enabled params and headers (keys and values), the active body mode's text
    (raw/json text, form field keys and text values, graphql query and variables) and the active
    auth type's fields. Not resolved: binary bodies, file contents, the method, options.
    Errors carry `field`, the first part of the request that failed (e.g. "headers[1].value").
    `used`, when given, receives the names of the user variables the sent parts use (nested
    ones too): what engine.secret_hosts checks against the hosts a secret may go to.
    """
    resolver = _Resolver(merge_scopes(scopes), {}, MAX_RESOLVED_CHARS)
    resolved = RequestSpec(
        method=spec.method,
        url=_resolve_field(resolver, spec.url, "url"),
        params=_resolve_pairs(resolver, spec.params, "params"),
        headers=_resolve_pairs(resolver, spec.headers, "headers"),
        body=_resolve_body(resolver, spec.body),
        auth=_resolve_auth(resolver, spec.auth),
        options=_copy_options(spec.options),
    )
    if used is not None:
        used.update(resolver.used)
    return resolved, list(resolver.unresolved)
