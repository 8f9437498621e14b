"""What each witness agreed to, and the decisions that follow from it:
consent records scope by scope and submission for review (views.py), review
(moderation_views.py), withdrawal (services/consent.py, withdrawal_views.py),
erasure with its tombstone, and holds on public release."""
