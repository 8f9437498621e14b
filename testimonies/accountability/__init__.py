"""Accountability packages: a signed BagIt bag of testimonies for a court,
an inquiry or a prosecutor (docs/accountability-package.md)."""
