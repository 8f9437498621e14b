"""The identity vault: encryption at rest of everything that identifies a
witness (sealing.py), the one door to an identity (identity.py), the logged
reveal page, and the collection of unused data keys."""
