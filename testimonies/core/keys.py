import secrets


def random_key() -> int:
    """A primary key that tells nothing: not the order of recording, not how
    many records exist. Used where a key reaches a URL (the admin)."""
    return secrets.randbelow(2**62) + 2**32
