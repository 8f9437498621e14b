import pytest

# Tests whose commits must really happen: the search index is written after
# commit. serialized_rollback restores what data migrations created (role
# groups, vocabularies) after each flush.
committed_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
