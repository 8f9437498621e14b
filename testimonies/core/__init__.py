"""The testimony record itself: the Testimony model, its controlled
vocabularies (communities, event types), and the pages that show one
testimony or a documenter's own list. Every other room builds on it."""
