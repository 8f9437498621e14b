"""Reading Whoosh's compound segment files without copying them.

A Whoosh segment is one file, memory-mapped when a reader opens it. But
Whoosh 2.7 wraps each part of it (the terms, the postings, the stored
fields, every column) in a BytesIO, and BytesIO copies what it is given:
every reader opened (after each change to the index, for each search
process; and inside every writer, for each delete or update) copied the
whole index into memory. At 100,000 testimonies that was 0.15 s and
hundreds of megabytes per open, the larger part of a withdrawal's time
and of a web process's memory.

Here the parts are read straight from the memory map. Writing segments as
separate files instead would avoid the copy too, but Whoosh opens some of
them (the columns) only when first used: after another process's merge
deleted them, a search still running on the old segments would fail. A
memory map stays readable until it is closed, deleted file or not.
"""

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _ViewReader:
    """The file interface BufferFile's methods use (read, readline,
    readinto, seek, tell, close), over a memoryview, copying only what is
    read."""

    def __init__(self, view: memoryview):
        self._view = view
        self._position = 0
        self.closed = False

    def read(self, size=-1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else start + size
        end = min(end, len(self._view))
        self._position = end
        return bytes(self._view[start:end])

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size=-1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            if not byte:
                break
            line += byte
            if byte == b"\n":
                break
        return bytes(line)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self):
        self.closed = True


class ZeroCopyBufferFile(BufferFile):
    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewReader(memoryview(buf))

    def subset(self, position, length, name=None):
        view = memoryview(self._buf)[position : position + length]
        return ZeroCopyBufferFile(view, name=name or self._name)


def read_compound_segments_in_place() -> None:
    """Make Whoosh's compound storage hand out ZeroCopyBufferFile. Called
    when the package is imported (search.whoosh), which the search app does
    when it is ready: in every process that opens the index (web, commands,
    rebuild workers)."""
    compound.BufferFile = ZeroCopyBufferFile
