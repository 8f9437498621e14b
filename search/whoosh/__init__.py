"""The embedded Whoosh engine (ARCHIVE_SEARCH_ENGINE=whoosh, the default).

backends.py     the haystack engine: writes that wait for the index's lock and
                are never lost, one Whoosh filter for every narrowing, purge
searchers.py    one searcher per process, refreshed only when the index changed
files.py        segment files read in place from their memory map
rebuild.py      the rebuild on every core, resumable (manage.py rebuild_index)
journal.py      what other writers touched while a rebuild runs
index_reading.py, similar.py, vocabulary.py
                reading the index directly: similar testimonies, did you mean

Engine-neutral code reaches all of it through search.engine. Importing this
package makes Whoosh read compound segments in place (search.whoosh.files);
the search app imports the configured engine when it is ready, so that this
holds in every process before any index is opened.
"""

from search.whoosh.files import read_compound_segments_in_place

read_compound_segments_in_place()
