from tests.accounts.conftest import authenticator, membership, official, verified_client

__all__ = ["authenticator", "membership", "official", "verified_client"]
