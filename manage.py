#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    # Everything this process creates (the database, the vault's key store,
    # the search index, media, the cache) is for this account only, whatever
    # the operator's umask: they hold witnesses' accounts.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
