"""Proxies, CA bundles and final connection failures, over real loopback sockets.

The emulator is served over HTTPS with a certificate made for the test; the proxy is a
loopback CONNECT proxy that counts its tunnels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.emulator import EmulatorApp
from kbsync.errors import ConfigError, NetworkError
from kbsync.robofy.client import RobofyClient
from kbsync.robofy.network import DNS_RETRIES
from tests.conftest import EMULATOR_TEST_KEY
from tests.robofy.netfakes import ConnectProxy, TlsServer, self_signed


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


@pytest.fixture
def tls_server(emulator_app: EmulatorApp, cert: tuple[Path, Path]) -> Iterator[TlsServer]:
    server = TlsServer(emulator_app, *cert)
    yield server
    server.close()


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    server = ConnectProxy()
    yield server
    server.close()


def _client(server: TlsServer, env: dict[str, str], sleeps: list[float] | None = None) -> Any:
    record = sleeps if sleeps is not None else []
    return RobofyClient(
        EMULATOR_TEST_KEY,
        1,
        f"https://localhost:{server.port}",
        env=env,
        timeout=5.0,
        sleep=record.append,
    )


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_a_proxy_variable_sends_every_request_through_the_proxy(
    tls_server: TlsServer, proxy: ConnectProxy, cert: tuple[Path, Path], variable: str
) -> None:
    env = {variable: proxy.url, "REQUESTS_CA_BUNDLE": str(cert[0])}
    with _client(tls_server, env) as client:
        assert client.list_agents() == []
        client.get_project()
    assert proxy.targets and set(proxy.targets) == {f"localhost:{tls_server.port}"}


@pytest.mark.parametrize("no_proxy", ["localhost", "127.0.0.1,localhost", "*", ".x.test,localhost"])
def test_no_proxy_hosts_are_reached_directly(
    tls_server: TlsServer, proxy: ConnectProxy, cert: tuple[Path, Path], no_proxy: str
) -> None:
    env = {"HTTPS_PROXY": proxy.url, "NO_PROXY": no_proxy, "SSL_CERT_FILE": str(cert[0])}
    with _client(tls_server, env) as client:
        assert client.list_agents() == []
    assert proxy.targets == []
    assert tls_server.accepted >= 1


def test_an_http_proxy_variable_does_not_carry_https_requests(
    tls_server: TlsServer, proxy: ConnectProxy, cert: tuple[Path, Path]
) -> None:
    env = {"HTTP_PROXY": proxy.url, "REQUESTS_CA_BUNDLE": str(cert[0])}
    with _client(tls_server, env) as client:
        assert client.list_agents() == []
    assert proxy.targets == []


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_ca_bundle_variable_makes_the_certificate_trusted(
    tls_server: TlsServer, cert: tuple[Path, Path], variable: str
) -> None:
    with _client(tls_server, {variable: str(cert[0])}) as client:
        assert client.list_agents() == []


def test_an_untrusted_certificate_is_final_at_once_and_says_what_to_set(
    tls_server: TlsServer,
) -> None:
    sleeps: list[float] = []
    with (
        _client(tls_server, {}, sleeps) as client,
        pytest.raises(NetworkError) as raised,
    ):
        client.list_agents()
    message = str(raised.value)
    assert "TLS certificate of localhost could not be verified" in message
    assert "REQUESTS_CA_BUNDLE" in message and "SSL_CERT_FILE" in message
    assert tls_server.accepted == 1 and sleeps == []  # not retried


def test_an_untrusted_certificate_through_a_proxy_is_final_too(
    tls_server: TlsServer, proxy: ConnectProxy
) -> None:
    with (
        _client(tls_server, {"HTTPS_PROXY": proxy.url}) as client,
        pytest.raises(NetworkError, match="REQUESTS_CA_BUNDLE"),
    ):
        client.get_project()
    assert len(proxy.targets) == 1


def test_a_name_that_does_not_resolve_gets_few_quick_retries() -> None:
    sleeps: list[float] = []
    client = RobofyClient(
        EMULATOR_TEST_KEY, 1, "https://no-such-host.invalid", env={}, sleep=sleeps.append
    )
    with client, pytest.raises(NetworkError, match=f"after {DNS_RETRIES + 1} attempts"):
        client.list_agents()
    assert len(sleeps) == DNS_RETRIES and sum(sleeps) < 5


def test_a_missing_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "corp-ca.pem"
    with pytest.raises(ConfigError, match=r"REQUESTS_CA_BUNDLE=.*corp-ca\.pem.*no such file"):
        RobofyClient(EMULATOR_TEST_KEY, 1, env={"REQUESTS_CA_BUNDLE": str(missing)})
