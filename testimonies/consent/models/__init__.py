"""Consent records, reviews and erasures: evidence rows, appended and never
changed."""
