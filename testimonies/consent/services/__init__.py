"""Writes of the consent room: consent (recording, capture, withdrawal),
review decisions, erasure, and public holds."""
