"""Fixtures for account tests: citizens, officials with or without an authenticator, TOTP codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import User
from egov.organizations.models import Membership
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def citizen(db) -> User:
    return UserFactory()


@pytest.fixture
def membership(db) -> Membership:
    return MembershipFactory()


@pytest.fixture
def official(membership) -> User:
    """An official of one agency, without an authenticator yet."""
    return membership.user


@pytest.fixture
def authenticator(official) -> TOTPDevice:
    return TOTPDevice.objects.create(user=official, name="authenticator", confirmed=True)


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the official's phone shows now (or ``steps_ahead`` periods of 30 s later).

    A device accepts one step either side, so tests that need two fresh codes in the same
    30 s take the next step's code instead of sleeping.
    """
    return (
        f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=steps_ahead):0{device.digits}d}"
    )


@pytest.fixture
def verified_client(client: Client, authenticator: TOTPDevice) -> Client:
    """A client signed in as the official, past the second factor."""
    client.force_login(authenticator.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator.persistent_id
    session.save()
    return client


def wrong_code(key: bytes) -> str:
    """A well-formed 6-digit code the authenticator holding ``key`` refuses at this moment."""
    accepted = {f"{totp(key, drift=step):06d}" for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def back_off(device: TOTPDevice) -> None:
    """Put the device in django-otp's back-off, as ten quick failures in a row would (512 s)."""
    device.throttling_failure_count = 10
    device.throttling_failure_timestamp = timezone.now()
    device.save()


# --- Identity providers: the sandbox OpenID Connect provider on a free loopback port ----------

SANDBOX_CLIENT_ID = "egov-test"
SANDBOX_CLIENT_SECRET = "sandbox-test-secret-ngẫu-nhiên"
TEST_CALLBACK = "http://testserver/accounts/oidc/vneid/callback/"


@pytest.fixture(scope="session")
def sandbox_idp():
    """The sandbox identity provider, started once for the session (real HTTP on 127.0.0.1)."""
    from egov.accounts.sandbox_idp.provider import SandboxClient
    from egov.accounts.sandbox_idp.server import SandboxServer

    server = SandboxServer(
        clients=[SandboxClient(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, [TEST_CALLBACK])]
    ).start()
    yield server
    server.stop()


def provider_settings(issuer: str, **extra: object) -> dict[str, object]:
    return {
        "label": "VNeID (sandbox)",
        "issuer": issuer,
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "claims": {"organisations": "organisations"},
        "timeout_seconds": 5,
        **extra,
    }


@pytest.fixture
def vneid(settings, sandbox_idp):
    """egov configured to sign in through the sandbox as its "vneid" provider."""
    from django.core.cache import cache

    cache.clear()  # discovery and keys of an earlier test's provider
    settings.EGOV_OIDC_PROVIDERS = {"vneid": provider_settings(sandbox_idp.issuer)}
    yield sandbox_idp
    cache.clear()
