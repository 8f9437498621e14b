"""Witnesses as the archive knows them without their identity: the keyed
pseudonym, the documenter's witness key, and the conflicts moderators decide
when two documenters type the same key."""
