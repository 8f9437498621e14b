"""Database connection settings the archive's safety depends on."""


def sqlite_secure_delete(sender, connection, **kwargs):
    """Make SQLite overwrite deleted content with zeros on this connection.

    By default SQLite only unlinks a deleted row or an overwritten value:
    its bytes stay in the database file (free pages, freeblocks inside
    pages, freed overflow pages) until something happens to reuse the
    space, and anyone with a copy of the file can read them back. An
    erased testimony's narrative or a deleted witness identity would
    survive in archive.sqlite3 and in every backup of it. With
    secure_delete on, SQLite zeroes that space as it frees it. The pragma
    is per connection, hence a connection_created receiver
    (connected in archive.apps), for every SQLite connection Django opens.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = ON")
