"""The map and the timeline: where and when the testimonies of a search are
(docs/maps.md). Filtered like the search, counted over what the asking
user may see, and never finer than the public view."""
