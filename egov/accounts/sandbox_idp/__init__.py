"""A SANDBOX OpenID Connect identity provider for development, demos and tests — not VNeID.

It speaks the real protocol on loopback (discovery, JWKS, authorisation code flow with PKCE, token
and userinfo endpoints, RS256-signed ID tokens) with a few demo citizens, so egov's sign-in through
VNeID can be exercised end to end without the national service. Start it with
``manage.py run_sandbox_idp --port 8090`` (the demo's Procfile does). It can also be asked, from its
sign-in page, to misbehave (expired, tampered, wrongly addressed ID tokens) to test the refusals.
"""
