"""Users (citizens and officials), login with TOTP for officials, lockout, roles and ActorScope."""
