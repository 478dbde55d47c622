"""Lock-free single-producer/single-consumer ring of fixed-size records.

One contiguous byte buffer (a numpy array, or ``multiprocessing.shared_memory`` for a ring
between processes) holds a header and the records::

    offset 0                 header: int64[HEADER_LEN] (HEADER_BYTES = 512)
        [0]   WRITE     records ever published by the producer     (cache line 0)
        [8]   READ      records ever consumed or skipped           (cache line 1)
        [16]  DROPPED   records lost to overrun, counted by the consumer (cache line 2)
        [24]  MAGIC, VERSION, CAPACITY, MASK, RECORD_BYTES, DTYPE, NDIM   (cache line 3)
        [32]  SHAPE[0..MAX_NDIM)                                   (cache line 4)
    offset HEADER_BYTES      data[capacity, *record_shape] of any numeric dtype

Each counter sits on its own 64-byte cache line, so the producer's stores to WRITE do not
invalidate the line the consumer writes READ to (no false sharing). Counters are 64-bit and
only ever increase; the slot of record number ``k`` is ``k & (capacity - 1)``. The header
describes the data (capacity, dtype, shape), so another process attaches by name alone and
a ``@cfunc`` can rebuild the views from the header address (``ring_view_2d``/``_3d``).

Protocol
--------
Producer (``ring_reserve`` → write ``data[slot]`` → ``ring_publish``; or ``ring_push``)::

    k = WRITE                       # its own counter: plain load
    fence(release)                  # (P1) orders the store WRITE=k (previous publish)
                                    #      before the data stores of record k
    data[k & mask] = record         # plain stores
    store_release(WRITE, k + 1)     # (P2) data stores happen-before the new count

The producer never reads READ and never blocks: when the consumer is behind, record ``k``
simply overwrites record ``k - capacity``.

Consumer (``ring_pop``)::

    r = READ                        # its own counter
    w = load_acquire(WRITE)         # (C1) pairs with P2: records < w are complete
    r = max(r, w - (capacity - 1))  # older records are being / have been overwritten
    out = copy of data[r & mask]    # plain loads, may race with the producer
    fence(acquire)                  # (C2) the copy's loads complete before ...
    w2 = load_acquire(WRITE)        # (C3) ... this re-check
    if w2 - r < capacity: accept    # the producer has not started record r + capacity
    else: drop r, retry             # torn (or about to be): count it as dropped

Why the check is sound: the producer writes record ``r + capacity`` into ``r``'s slot only
while ``WRITE == r + capacity`` (after publishing ``r + capacity - 1``). If any load of the
copy saw a store of that record, the fence pair P1/C2 (C++ fence-fence synchronisation, the
seqlock argument of Boehm 2012) makes the store ``WRITE = r + capacity`` visible to C3, so
``w2 >= r + capacity`` and the copy is rejected. This is why only ``capacity - 1`` records are
readable at once: one slot is the safety margin for the record being written.
``available()`` never exceeds ``capacity - 1``.

On x86-64 (TSO) the hardware keeps stores in order with stores and loads in order with
loads, so every acquire/release above compiles to a plain ``mov`` and the fences to nothing;
what they buy is that LLVM does not reorder the data accesses across the counter accesses
(see ``kernels.atomics``). On weakly ordered CPUs LLVM emits the needed barriers.

The consumer is the only writer of READ and DROPPED (release stores, so anyone can read
them); the producer is the only writer of WRITE. Exactly one producer and one consumer at a
time; any number of read-only tappers (``ring_peek``: record ``k`` by number, the same
check, READ untouched) may read beside them.
"""

from __future__ import annotations

import dataclasses
import itertools
import mmap
import math
import os
from multiprocessing import shared_memory

import numba
import numpy as np
from numba import njit

from kernels.atomics import address_as_voidptr, fence_acquire, fence_release, load_acquire, store_release
from kernels.errors import ParameterError

__all__ = [
    "capacity_for",
    "Ring",
    "RingSpec",
    "ring_push",
    "ring_reserve",
    "ring_publish",
    "ring_pop",
    "ring_peek",
    "ring_available",
    "ring_header_at",
    "ring_view_2d",
    "ring_view_3d",
    "HEADER_BYTES",
]

HEADER_BYTES = 512
HEADER_LEN = HEADER_BYTES // 8
CACHE_LINE_BYTES = 64
MAX_NDIM = 8

H_WRITE = 0
H_READ = 8
H_DROPPED = 16
H_MAGIC = 24
H_VERSION = 25
H_CAPACITY = 26
H_MASK = 27
H_RECORD_BYTES = 28
H_DTYPE = 29
H_NDIM = 30
H_SHAPE = 32

MAGIC = int.from_bytes(b"MIRGRING", "little")
VERSION = 1


# --------------------------------------------------------------------------- kernels


@njit(cache=True, nogil=True, inline="always")
def _copy_record(dst, src):
    d = dst.reshape(dst.size)
    s = src.reshape(src.size)
    for i in range(d.size):
        d[i] = s[i]


@njit(cache=True, nogil=True)
def ring_reserve(header, data):
    """Producer: index of the slot to fill in place (``data[slot]``), then ``ring_publish``."""
    k = header[H_WRITE]
    fence_release()
    return k & header[H_MASK]


@njit(cache=True, nogil=True)
def ring_publish(header):
    """Producer: make the record written since ``ring_reserve`` visible to the consumer."""
    store_release(header, H_WRITE, header[H_WRITE] + 1)


@njit(cache=True, nogil=True)
def ring_push(header, data, record):
    """Producer: copy ``record`` (shape ``data.shape[1:]``) in; never blocks, overwrites the oldest."""
    slot = ring_reserve(header, data)
    _copy_record(data[slot], record)
    ring_publish(header)


@njit(cache=True, nogil=True)
def ring_pop(header, data, out):
    """Consumer: copy the oldest intact record into ``out``.

    Returns 1 if a record was copied, 0 if the ring is empty. Records overwritten before
    they could be read are skipped and added to ``header[H_DROPPED]``.
    """
    capacity = header[H_CAPACITY]
    mask = header[H_MASK]
    r = header[H_READ]
    dropped = 0
    got = 0
    while True:
        w = load_acquire(header, H_WRITE)
        if w == r:
            break
        oldest = w - (capacity - 1)
        if r < oldest:
            dropped += oldest - r
            r = oldest
        _copy_record(out, data[r & mask])
        fence_acquire()
        w2 = load_acquire(header, H_WRITE)
        if w2 - r < capacity:
            r += 1
            got = 1
            break
        dropped += 1
        r += 1
    if dropped:
        store_release(header, H_DROPPED, header[H_DROPPED] + dropped)
    store_release(header, H_READ, r)
    return got


@njit(cache=True, nogil=True)
def ring_peek(header, data, k, out):
    """A second, read-only reader: copy record number ``k`` into ``out`` without consuming it.

    Returns 1 if the copy is intact, 0 if record ``k`` is not published yet, -1 if it was
    (or was being) overwritten. READ and DROPPED are not touched, so the ring's one consumer
    is unaffected; the check is `ring_pop`'s (the copy is accepted only if the producer had
    not started record ``k + capacity`` after it).
    """
    capacity = header[H_CAPACITY]
    w = load_acquire(header, H_WRITE)
    if k >= w:
        return 0
    if k < w - (capacity - 1):
        return -1
    _copy_record(out, data[k & header[H_MASK]])
    fence_acquire()
    w2 = load_acquire(header, H_WRITE)
    if w2 - k < capacity:
        return 1
    return -1


@njit(cache=True, nogil=True)
def ring_available(header):
    """Records the consumer could pop now (at most ``capacity - 1``)."""
    w = load_acquire(header, H_WRITE)
    r = load_acquire(header, H_READ)
    n = w - r
    limit = header[H_CAPACITY] - 1
    if n > limit:
        return limit
    if n < 0:
        return 0
    return n


@njit(cache=True, nogil=True)
def ring_header_at(address):
    """The int64 header of the ring whose buffer starts at ``address`` (a state-table entry)."""
    return numba.carray(address_as_voidptr(address), HEADER_LEN, np.int64)


@njit(cache=True, nogil=True)
def ring_view_2d(address, dtype):
    """``(header, data[capacity, n])`` of the ring with 1-D records whose buffer is at ``address``.

    ``dtype`` is a numpy scalar type known at compile time (e.g. the global ``np.float32``).
    Shapes are read from the header; nothing is allocated, so this works in a ``@cfunc``.
    """
    header = numba.carray(address_as_voidptr(address), HEADER_LEN, np.int64)
    shape = (header[H_CAPACITY], header[H_SHAPE])
    data = numba.carray(address_as_voidptr(address + HEADER_BYTES), shape, dtype)
    return header, data


@njit(cache=True, nogil=True)
def ring_view_3d(address, dtype):
    """``(header, data[capacity, n, m])`` of the ring with 2-D records at ``address``."""
    header = numba.carray(address_as_voidptr(address), HEADER_LEN, np.int64)
    shape = (header[H_CAPACITY], header[H_SHAPE], header[H_SHAPE + 1])
    data = numba.carray(address_as_voidptr(address + HEADER_BYTES), shape, dtype)
    return header, data


# --------------------------------------------------------------------------- Python side


SHM_PREFIX = "mirage"
"""Shared rings are named ``/dev/shm/mirage-<pid>-<n>`` unless given a name: whose they are
is visible (and a test can check that a process left none behind)."""
_shm_serial = itertools.count()


def capacity_for(records: float) -> int:
    """The smallest power-of-two capacity (at least 2) that holds ``records`` records."""
    return 1 << max(1, math.ceil(math.log2(max(2.0, records))))


def _create_segment(name: str | None, nbytes: int) -> shared_memory.SharedMemory:
    if name is not None:
        return shared_memory.SharedMemory(name=name, create=True, size=nbytes)
    while True:  # a segment left by a dead process of the same pid: take the next number
        try:
            return shared_memory.SharedMemory(name=f"{SHM_PREFIX}-{os.getpid()}-{next(_shm_serial)}",
                                              create=True, size=nbytes)
        except FileExistsError:
            continue


class _AttachedSegment:
    """A mapping of an existing POSIX shared-memory segment, without resource tracking.

    ``multiprocessing.shared_memory.SharedMemory`` (Python < 3.13) registers even attached
    segments with the resource tracker, which then unlinks the creator's segment, or
    complains, when the attaching process exits. Only the creator owns a ring's segment, so
    attaching maps ``/dev/shm/<name>`` directly (Linux).
    """

    def __init__(self, name: str):
        path = os.path.join("/dev/shm", name.lstrip("/"))
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise ParameterError(f"no shared ring named {name!r}") from None
        try:
            self.size = os.fstat(fd).st_size
            self._mmap = mmap.mmap(fd, self.size)
        finally:
            os.close(fd)
        self.name = name.lstrip("/")
        self.buf = memoryview(self._mmap)

    def close(self):
        self.buf.release()
        self._mmap.close()

    def unlink(self):  # pragma: no cover - never called: attached segments are not owned
        raise ParameterError("only the creator of a shared ring may unlink it")


@dataclasses.dataclass(frozen=True)
class RingSpec:
    """What another process needs to attach to a shared ring (picklable)."""

    name: str
    capacity: int
    record_shape: tuple
    dtype: str


def _pack_dtype(dtype: np.dtype) -> int:
    text = dtype.str.encode("ascii")
    if len(text) > 8:
        raise ParameterError(f"dtype {dtype} cannot be stored in a ring header")
    return int.from_bytes(text.ljust(8, b"\0"), "little", signed=True)


def _unpack_dtype(code: int) -> np.dtype:
    return np.dtype(int(code).to_bytes(8, "little", signed=True).rstrip(b"\0").decode("ascii"))


def _check_parameters(capacity, record_shape, dtype):
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)):
        raise ParameterError(f"capacity must be an integer, got {capacity!r}")
    capacity = int(capacity)
    if capacity < 2 or capacity & (capacity - 1):
        raise ParameterError(f"capacity must be a power of two >= 2, got {capacity}")
    if isinstance(record_shape, (int, np.integer)):
        record_shape = (int(record_shape),)
    record_shape = tuple(int(n) for n in record_shape)
    if not 1 <= len(record_shape) <= MAX_NDIM or any(n < 1 for n in record_shape):
        raise ParameterError(f"record_shape must have 1..{MAX_NDIM} positive dims, got {record_shape}")
    dtype = np.dtype(dtype)
    if dtype.kind not in "iufc":
        raise ParameterError(f"dtype must be numeric, got {dtype}")
    return capacity, record_shape, dtype


class Ring:
    """A single-producer/single-consumer ring (see the module docstring for the protocol).

    Create with `Ring.create`, attach from another process with `Ring.attach`. Jitted code
    uses ``ring.header`` and ``ring.data`` with `ring_push`/`ring_reserve`/`ring_publish`/
    `ring_pop`/`ring_available`; ``ring.address`` is what goes into a callback's state table.
    """

    def __init__(self, buffer: np.ndarray, shm, owner: bool):
        self._buffer = buffer
        self._shm = shm
        self._owner = owner
        header = buffer[:HEADER_BYTES].view(np.int64)
        if header[H_MAGIC] != MAGIC or header[H_VERSION] != VERSION:
            raise ParameterError("buffer does not hold a MIRAGE ring (bad magic or version)")
        self.capacity = int(header[H_CAPACITY])
        ndim = int(header[H_NDIM])
        self.record_shape = tuple(int(n) for n in header[H_SHAPE : H_SHAPE + ndim])
        self.dtype = _unpack_dtype(header[H_DTYPE])
        self.header = header
        nbytes = self.capacity * int(header[H_RECORD_BYTES])
        self.data = buffer[HEADER_BYTES : HEADER_BYTES + nbytes].view(self.dtype).reshape(
            (self.capacity, *self.record_shape)
        )

    @staticmethod
    def nbytes_for(capacity: int, record_shape, dtype) -> int:
        """Bytes of the buffer of such a ring (header + data)."""
        capacity, record_shape, dtype = _check_parameters(capacity, record_shape, dtype)
        return HEADER_BYTES + capacity * int(np.prod(record_shape)) * dtype.itemsize

    @classmethod
    def create(cls, capacity: int, record_shape, dtype, shared: bool = False, name: str | None = None) -> "Ring":
        """A new empty ring of ``capacity`` (a power of two) records of ``record_shape``/``dtype``.

        ``shared=True`` (or a ``name``) puts it in POSIX shared memory; this object then owns
        it (``unlink()`` removes it).
        """
        capacity, record_shape, dtype = _check_parameters(capacity, record_shape, dtype)
        nbytes = cls.nbytes_for(capacity, record_shape, dtype)
        if shared or name is not None:
            shm = _create_segment(name, nbytes)
            buffer = np.ndarray((nbytes,), dtype=np.uint8, buffer=shm.buf)
        else:
            shm = None
            raw = np.zeros(nbytes + CACHE_LINE_BYTES, dtype=np.uint8)
            start = (-raw.ctypes.data) % CACHE_LINE_BYTES
            buffer = raw[start : start + nbytes]
        buffer[:] = 0
        header = buffer[:HEADER_BYTES].view(np.int64)
        header[H_MAGIC] = MAGIC
        header[H_VERSION] = VERSION
        header[H_CAPACITY] = capacity
        header[H_MASK] = capacity - 1
        header[H_RECORD_BYTES] = int(np.prod(record_shape)) * dtype.itemsize
        header[H_DTYPE] = _pack_dtype(dtype)
        header[H_NDIM] = len(record_shape)
        header[H_SHAPE : H_SHAPE + len(record_shape)] = record_shape
        return cls(buffer, shm, owner=shm is not None)

    @classmethod
    def attach(cls, name: "str | RingSpec") -> "Ring":
        """Open the shared ring ``name`` (or a `RingSpec`) created by another process."""
        spec = name if isinstance(name, RingSpec) else None
        shm_name = spec.name if spec else name
        shm = _AttachedSegment(shm_name)
        buffer = np.ndarray((shm.size,), dtype=np.uint8, buffer=shm.buf)
        ring = cls(buffer, shm, owner=False)
        if spec and (spec.capacity, tuple(spec.record_shape), np.dtype(spec.dtype)) != (
            ring.capacity,
            ring.record_shape,
            ring.dtype,
        ):
            ring.close()
            raise ParameterError(f"shared ring {shm_name!r} does not match {spec}")
        return ring

    # ------------------------------------------------------------------ properties

    @property
    def name(self) -> str | None:
        """The shared-memory name, or None for a process-local ring."""
        return self._shm.name if self._shm is not None else None

    @property
    def spec(self) -> RingSpec:
        """A picklable description for `Ring.attach` in another process."""
        if self._shm is None:
            raise ParameterError("a process-local ring cannot be attached from another process")
        return RingSpec(self._shm.name, self.capacity, self.record_shape, self.dtype.str)

    @property
    def address(self) -> int:
        """Address of the buffer (header first): the value to put into a state table."""
        return int(self._buffer.ctypes.data)

    @property
    def dropped(self) -> int:
        """Records lost to overrun so far (counted when the consumer skips them)."""
        return int(self.header[H_DROPPED])

    @property
    def written(self) -> int:
        """Records ever published by the producer."""
        return int(self.header[H_WRITE])

    @property
    def read(self) -> int:
        """Records ever consumed or skipped by the consumer."""
        return int(self.header[H_READ])

    # ------------------------------------------------------------------ convenience

    def push(self, record) -> None:
        """Producer side, from Python: copy one record in (overwrites the oldest if full)."""
        record = np.ascontiguousarray(record, dtype=self.dtype)
        if record.shape != self.record_shape:
            raise ParameterError(f"record shape {record.shape} != ring record shape {self.record_shape}")
        ring_push(self.header, self.data, record)

    def pop(self, out: np.ndarray) -> bool:
        """Consumer side, from Python: copy the oldest intact record into ``out``; False if empty."""
        if out.shape != self.record_shape or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ParameterError(
                f"out must be a C-contiguous {self.dtype} array of shape {self.record_shape}, "
                f"got {out.dtype} {out.shape}"
            )
        return bool(ring_pop(self.header, self.data, out))

    def available(self) -> int:
        """Records that could be popped now (at most ``capacity - 1``)."""
        return int(ring_available(self.header))

    def close(self) -> None:
        """Release this process's mapping (the views ``header``/``data`` become invalid)."""
        self.header = self.data = self._buffer = None
        if self._shm is not None:
            self._shm.close()

    def unlink(self) -> None:
        """Remove the shared-memory segment (creator only); attached mappings stay valid."""
        if self._shm is not None and self._owner:
            self._shm.unlink()
            self._owner = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        owner = self._owner
        self.close()
        if owner:
            self.unlink()

    def __repr__(self):
        where = f"shared {self.name!r}" if self._shm is not None else "local"
        return f"Ring({where}, capacity={self.capacity}, record_shape={self.record_shape}, dtype={self.dtype})"
