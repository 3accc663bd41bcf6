"""curl's options as this reader knows them: short names, which take a value, which are ignored or
dropped (and why), and the state a command builds up while its options are read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from requests_app.engine.spec import FormField, KeyValue
from requests_app.interop.model import Report

FORMAT = "cURL command"
IMPORTED_COLLECTION_NAME = "Imported"
MAX_NAME_LENGTH = 200

# ---------------------------------------------------------------- the option table

SHORT_OPTIONS = {
    "X": "request", "H": "header", "d": "data", "F": "form", "G": "get", "u": "user", "b": "cookie",
    "A": "user-agent", "e": "referer", "L": "location", "k": "insecure", "m": "max-time", "I": "head",
    "x": "proxy", "s": "silent", "S": "show-error", "v": "verbose", "i": "include", "o": "output",
    "O": "remote-name", "T": "upload-file", "c": "cookie-jar", "w": "write-out", "D": "dump-header",
    "E": "cert", "f": "fail", "#": "progress-bar", "N": "no-buffer", "4": "ipv4", "6": "ipv6", "r": "range",
    "K": "config", "U": "proxy-user", "j": "junk-session-cookies", "C": "continue-at", "0": "http1.0",
    "n": "netrc", "q": "disable", "R": "remote-time", "g": "globoff", "J": "remote-header-name",
    "l": "list-only", "a": "append", "B": "use-ascii", "M": "manual", "h": "help", "V": "version",
    "Y": "speed-limit", "y": "speed-time", "z": "time-cond", "t": "telnet-option", "P": "ftp-port",
    "Q": "quote", "Z": "parallel", ":": "next", "p": "proxytunnel", "1": "tlsv1", "2": "sslv2", "3": "sslv3",
}  # fmt: skip

# Options that take a value, beyond the ones handled below.
VALUED_OPTIONS = frozenset(
    """
    url request header data data-raw data-binary data-ascii data-urlencode json form form-string user cookie
    user-agent referer max-redirs max-time proxy output upload-file cookie-jar write-out dump-header cert key
    cacert capath range config proxy-user continue-at oauth2-bearer url-query connect-timeout retry retry-delay
    retry-max-time resolve connect-to interface limit-rate max-filesize speed-limit speed-time time-cond
    telnet-option ftp-port quote cert-type key-type pass ciphers engine dns-servers dns-interface dns-ipv4-addr
    dns-ipv6-addr noproxy proxy-header unix-socket abstract-unix-socket aws-sigv4 request-target variable
    stderr trace trace-ascii trace-config keepalive-time local-port tls-max preproxy socks4 socks4a socks5
    socks5-hostname hostpubmd5 hostpubsha256 pinnedpubkey output-dir etag-save etag-compare
    happy-eyeballs-timeout-ms mail-from mail-rcpt mail-auth sasl-authzid service-name proxy-cacert proxy-capath
    proxy-cert proxy-cert-type proxy-key proxy-key-type proxy-pass proxy-ciphers proxy-tls13-ciphers
    proxy-pinnedpubkey proxy-service-name proxy-crlfile proxy-tlsuser proxy-tlspassword proxy-tlsauthtype
    login-options delegation crlfile random-file egd-file doh-url alt-svc hsts parallel-max rate
    create-file-mode ip-tos vlan-priority netrc-file ftp-method ftp-account ftp-alternative-to-user
    ftp-ssl-ccc-mode krb tftp-blksize socks5-gssapi-service ssl-sessions expect100-timeout curves tls13-ciphers
    tlsuser tlspassword tlsauthtype max-time connect-timeout upload-flags ech ipfs-gateway
    """.split()
)

OUTPUT_ONLY_OPTIONS = frozenset(
    """
    silent show-error verbose include output remote-name remote-name-all remote-header-name write-out
    dump-header progress-bar no-progress-meter no-buffer styled-output no-styled-output trace trace-ascii
    trace-time trace-config stderr output-dir create-dirs fail fail-with-body fail-early show-headers xattr
    remote-time clobber no-clobber remove-on-error skip-existing etag-save etag-compare create-file-mode
    help manual version
    """.split()
)
PROXY_OPTIONS = frozenset(
    """
    proxy proxy-user noproxy preproxy socks4 socks4a socks5 socks5-hostname proxytunnel proxy-header
    proxy-insecure proxy-cacert proxy-capath proxy-cert proxy-cert-type proxy-key proxy-key-type proxy-pass
    proxy-ciphers proxy-tls13-ciphers proxy-pinnedpubkey proxy-service-name proxy-crlfile proxy-tlsuser
    proxy-tlspassword proxy-tlsauthtype proxy-basic proxy-digest proxy-ntlm proxy-negotiate proxy-anyauth
    socks5-gssapi-service socks5-gssapi-nec haproxy-protocol suppress-connect-headers proxy-ca-native
    """.split()
)
CONNECTION_OPTIONS = frozenset(
    """
    http1.0 http1.1 http2 http2-prior-knowledge http3 http3-only http0.9 ipv4 ipv6 no-keepalive keepalive-time
    tcp-nodelay tcp-fastopen local-port interface connect-timeout retry retry-delay retry-max-time
    retry-connrefused retry-all-errors limit-rate speed-limit speed-time max-filesize parallel parallel-max
    parallel-immediate rate path-as-is raw globoff happy-eyeballs-timeout-ms expect100-timeout mptcp
    no-alpn no-npn no-sessionid false-start tr-encoding ignore-content-length crlf disable netrc
    netrc-optional netrc-file ip-tos vlan-priority dns-servers dns-interface dns-ipv4-addr dns-ipv6-addr
    doh-url doh-insecure alt-svc hsts junk-session-cookies cookie-jar post301 post302 post303
    disallow-username-in-url ssl-sessions ca-native
    """.split()
)
TLS_OPTIONS = frozenset(
    """
    cert key cacert capath cert-type key-type pass ciphers engine pinnedpubkey crlfile cert-status tlsv1
    tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3 tls-max sslv2 sslv3 ssl ssl-reqd ssl-no-revoke ssl-allow-beast
    ssl-revoke-best-effort ssl-auto-client-cert curves tls13-ciphers tlsuser tlspassword tlsauthtype
    random-file egd-file ech
    """.split()
)
DROPPED_OPTIONS = {
    "ntlm": "NTLM authentication is not supported; no auth is set",
    "ntlm-wb": "NTLM authentication is not supported; no auth is set",
    "negotiate": "Negotiate (SPNEGO) authentication is not supported; no auth is set",
    "delegation": "Kerberos delegation is not supported",
    "krb": "Kerberos is not supported",
    "aws-sigv4": "AWS Signature v4 is not supported; the request is imported unsigned",
    "resolve": "custom name resolution is not supported; the request goes to the URL's host",
    "connect-to": "custom connection targets are not supported; the request goes to the URL's host",
    "unix-socket": "Unix sockets are not supported; the request goes to the URL's host over TCP",
    "abstract-unix-socket": "Unix sockets are not supported; the request goes to the URL's host over TCP",
    "config": "a curl config file cannot be read here; its options are missing",
    "variable": "curl variables are not supported; use {{variables}} instead",
    "request-target": "a custom request target is not supported; the URL's path is used",
    "time-cond": "conditional requests by file time are not supported",
    "continue-at": "resuming transfers is not supported",
    "next": "only the first request of a --next chain is imported",
    "upload-flags": "upload flags are not supported",
}
# Options that change nothing about the request, and why; checked in this order.
IGNORED_GROUPS = (
    (PROXY_OPTIONS, "proxy settings ignored; webclient connects directly"),
    (OUTPUT_ONLY_OPTIONS, "ignored (affects only curl's own output)"),
    (TLS_OPTIONS, "TLS setting ignored (certificates are verified unless -k is given)"),
    (CONNECTION_OPTIONS, "ignored (connection tuning)"),
    (VALUED_OPTIONS, "ignored"),
)
CURL_DEFAULT_MAX_REDIRECTS = 50
URL_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")
FORM_PART_META = re.compile(r";\s*(type|filename|headers|encoder)=", re.IGNORECASE)


@dataclass
class DataPiece:
    kind: str  # data, raw, binary, urlencode, json
    text: str  # the encoded text that goes on the wire ("" for a file)
    file: str = ""  # a file curl would read
    line: int = 0
    option: str = ""


@dataclass
class CurlState:
    report: Report
    path_prefix: str
    url: str = ""
    url_line: int = 0
    method: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    data: list[DataPiece] = field(default_factory=list)
    form: list[FormField] = field(default_factory=list)
    url_query: list[str] = field(default_factory=list)
    upload_file: str = ""
    use_get: bool = False
    head: bool = False
    user: str | None = None
    auth_scheme: str = "basic"
    bearer: str = ""
    follow: bool = False
    max_redirects: int | None = None
    insecure: bool = False
    timeout_ms: int | None = None

    def where(self, line: int) -> str:
        return f"{self.path_prefix}line {line}"
