"""Sign-in through OpenID Connect identity providers (VNeID, or any provider set in the settings).

``providers`` reads the configuration, ``tokens`` holds the pure checks of an ID token and the claim
mapping, ``client`` speaks the protocol (authorisation code flow with PKCE, state and nonce).
"""
