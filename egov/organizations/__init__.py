"""Administrative units, agencies with electronic IDs, divisions, positions, memberships."""
