"""Whoosh's compound segments are read in place from their memory map
(search.whoosh.files), never copied into memory at each reader's open, and
a searcher keeps reading its segments after another writer's merge has
deleted their files."""

from whoosh import fields
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser

from search.whoosh.files import ZeroCopyBufferFile

SCHEMA = fields.Schema(
    id=fields.ID(stored=True, unique=True),
    body=fields.TEXT(stored=True),
    recorded=fields.NUMERIC(sortable=True),
)


def _index_of_two_segments(tmp_path):
    index = FileStorage(str(tmp_path)).create().create_index(SCHEMA)
    for number, body in enumerate(["the checkpoint at dawn", "the school at night"]):
        writer = index.writer()
        writer.add_document(id=str(number), body=body, recorded=number)
        writer.commit(merge=False)  # one compound segment per commit
    return index


def test_parts_of_a_compound_segment_are_read_from_the_map(tmp_path):
    index = _index_of_two_segments(tmp_path)
    with index.reader() as reader:
        parts = [leaf._terms._dbfile for leaf, _offset in reader.leaf_readers()]
        assert parts and all(isinstance(p, ZeroCopyBufferFile) for p in parts)
        assert all(not hasattr(p.file, "getvalue") for p in parts)  # no BytesIO
        assert sorted(f["body"] for f in reader.all_stored_fields()) == [
            "the checkpoint at dawn",
            "the school at night",
        ]


def test_a_searcher_reads_on_after_a_merge_deleted_its_segment_files(tmp_path):
    index = _index_of_two_segments(tmp_path)
    searcher = index.searcher()
    before = set(tmp_path.iterdir())
    writer = index.writer()
    writer.delete_by_term("id", "1")
    writer.commit(optimize=True)  # rewrites one segment, deletes the old files
    assert before - set(tmp_path.iterdir()), "the merge deleted no file"

    query = QueryParser("body", SCHEMA).parse("checkpoint OR school")
    hits = searcher.search(query, sortedby="recorded", reverse=True)
    assert [hit["body"] for hit in hits] == [
        "the school at night",
        "the checkpoint at dawn",
    ]
    searcher.close()
    with index.searcher() as fresh:
        assert [hit["id"] for hit in fresh.search(query)] == ["0"]
