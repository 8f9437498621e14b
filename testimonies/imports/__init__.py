"""The JSON Lines import (manage.py import_testimonies): reading and checking
each line (reader.py), then writing all lines or none (services.py)."""
