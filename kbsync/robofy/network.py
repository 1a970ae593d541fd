"""How kbsync reaches Robofy over a real network: proxies, CA bundles, and which
connection failures are final.

``network_transports(env, limits)`` is the ONE place that builds the httpx transports of
a real client. httpx reads proxy variables only when the client builds its own transport;
kbsync passes its own (for answer deadlines), so the proxy routing httpx would do by
default is rebuilt here as ``mounts=``, following httpx's own rules:

- ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` (either case; lower case wins, as in
  urllib) route ``http://``, ``https://`` or all requests through that proxy; a value
  without a scheme means ``http://``;
- ``NO_PROXY`` is a comma list of hosts sent directly (``*`` turns every proxy off;
  ``example.com`` covers its subdomains; IPv4, IPv6, ``localhost`` and full URLs too).

Certificates: ``REQUESTS_CA_BUNDLE``, else ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else
certifi's bundle (httpx's default). A file or folder is loaded as PEM.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import certifi
import httpx

from kbsync.errors import ConfigError
from kbsync.robofy.deadline import with_deadlines
from kbsync.robofy.pool import Pool

CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
DNS_RETRIES = 2  # a name that does not resolve now rarely does a second later

Mounts = dict[str, httpx.BaseTransport | None]
_ONE = httpx.Limits(max_connections=1, max_keepalive_connections=1)  # per pooled transport


def network_transports(
    env: Mapping[str, str], workers: int, base_url: str
) -> tuple[httpx.BaseTransport, Mounts]:
    """The direct transport and the proxy mounts (``None``: go direct) for httpx.Client.

    Each route is a pool of single-connection transports, one per busy worker (no pool the
    workers contend for), all sharing ONE TLS context: building one costs 10-25 ms of CPU.
    """
    context = tls_context(base_url, env)

    def route(proxy: str | None = None) -> httpx.BaseTransport:
        def one() -> httpx.BaseTransport:
            made = httpx.HTTPTransport(verify=context, limits=_ONE, proxy=proxy, trust_env=False)
            return with_deadlines(made)

        return Pool(one, workers)

    mounts: Mounts = {
        pattern: None if proxy is None else route(proxy)
        for pattern, proxy in proxy_routes(env).items()
    }
    return route(), mounts


def tls_context(base_url: str, env: Mapping[str, str]) -> ssl.SSLContext:
    """The CA bundle's context for an https base URL. Plain http is only ever loopback
    (the client refuses it elsewhere) and no request of it uses TLS, while loading the CA
    bundle costs about 0.1 s of CPU per command; so it gets a context that verifies and
    trusts no certificate at all: if it were ever used, it would refuse, never accept."""
    if urlsplit(base_url).scheme == "https":
        return ssl_context(env)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname, no CAs


def ssl_context(env: Mapping[str, str]) -> ssl.SSLContext:
    """The context that verifies Robofy's certificate, from the first CA variable set."""
    for name in CA_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return _context_from(name, value)
    return ssl.create_default_context(cafile=certifi.where())


def _context_from(name: str, value: str) -> ssl.SSLContext:
    try:
        if name == "SSL_CERT_DIR":
            return ssl.create_default_context(capath=value)
        return ssl.create_default_context(cafile=value)
    except FileNotFoundError:
        raise ConfigError(f"{name}={value!r}: no such file") from None
    except IsADirectoryError:  # a folder of hashed certificates, as SSL_CERT_DIR holds
        return ssl.create_default_context(capath=value)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{name}={value!r} is not a PEM certificate bundle ({exc})") from None


def proxy_variables(env: Mapping[str, str]) -> dict[str, str]:
    """``{"https": url, "no": "a,b", ...}`` from ``*_proxy`` variables, lower case winning."""
    found: dict[str, str] = {}
    for lower_wins in (False, True):
        for name, value in env.items():
            if name.lower().endswith("_proxy") and value and (name.islower() or not lower_wins):
                found[name.lower()[: -len("_proxy")]] = value
    return found


def proxy_routes(env: Mapping[str, str]) -> dict[str, str | None]:
    """httpx's mount patterns for the environment: a proxy URL, or None for "direct"."""
    variables = proxy_variables(env)
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if variables.get(scheme):
            url = variables[scheme]
            routes[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (h.strip() for h in variables.get("no", "").split(",")):
        if host == "*":
            return {}
        if host:
            routes[_direct_pattern(host)] = None
    return routes


def _direct_pattern(host: str) -> str:
    if "://" in host:
        return host
    if host.lower() == "localhost" or _is_ip(host, 4):
        return f"all://{host}"
    if _is_ip(host, 6):
        return f"all://[{host}]"
    return f"all://*{host}"


def _is_ip(host: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(host).version == version
    except ValueError:
        return False


# --- failures ------------------------------------------------------------------------


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen:
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    return seen


def certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind a connection error, if it is one."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
    return None


def is_dns_failure(exc: BaseException) -> bool:
    return any(isinstance(cause, socket.gaierror) for cause in _causes(exc))


def certificate_message(exc: BaseException, problem: ssl.SSLCertVerificationError) -> str:
    """Which host failed verification, why, and the variable that would fix it."""
    reason = problem.verify_message or problem.reason or str(problem)
    return (
        f"the TLS certificate of {_host_of(exc)} could not be verified ({reason}); "
        "if your network inspects TLS with its own certificate authority, set "
        "REQUESTS_CA_BUNDLE (or SSL_CERT_FILE) to a PEM file holding that authority's "
        "certificate"
    )


def _host_of(exc: BaseException) -> str:
    try:
        request = exc.request if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # httpx raised it without a request attached
        request = None
    return request.url.host if request is not None else "the server"
