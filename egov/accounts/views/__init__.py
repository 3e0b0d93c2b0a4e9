"""Account pages: registration, sign-in with the officials' second factor, profile, password reset."""
