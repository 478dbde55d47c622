"""Every index the callback shares with Python is named once and fits its table.

A wrong index inside a ``@cfunc`` corrupts memory without an error, so the layouts are plain
``int`` constants in their own modules (`mirage.audio.state_table_layout`,
`mirage.engine.callback_layout`, `kernels.analyzer_counters`, `kernels.ring`,
`mirage.audio.portaudio_codes`), and these tests read them from the modules themselves (every
int of a prefix): a slot added tomorrow is checked the day it is written. Two names on one
index, an index past its array, or a callback's slot among the stream's own fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import kernels.analyzer_counters as counters_layout
import kernels.rhythm_layout as rl
import kernels.ring as ring_layout
import mirage.audio.portaudio_codes as pa
import mirage.audio.state_table_layout as st
import mirage.engine.callback_layout as cl

ROOT = Path(__file__).resolve().parent.parent


def named(module, prefix: str, *, exclude=()) -> dict[str, int]:
    """``{name: value}`` of the module's int constants whose name starts with ``prefix``."""
    return {name: value for name, value in vars(module).items()
            if name.startswith(prefix) and name not in exclude and type(value) is int}


def spread(name: str, first: int, count: int) -> dict[str, int]:
    """A range of ``count`` indices from ``first`` (a histogram, a shape), one entry each."""
    return {f"{name}+{i}": first + i for i in range(count)}


def layout_problems(slots: dict[str, int], begin: int, end: int) -> list[str]:
    """What is wrong with ``slots``, which must be distinct indices within ``[begin, end)``."""
    problems = [f"{name} = {value} is outside [{begin}, {end})"
                for name, value in slots.items() if not begin <= value < end]
    by_value: dict[int, list[str]] = {}
    for name, value in slots.items():
        by_value.setdefault(value, []).append(name)
    problems += [f"{' and '.join(sorted(names))} share index {value}"
                 for value, names in sorted(by_value.items()) if len(names) > 1]
    return problems


TABLES = {
    # table: (its slots, first allowed index, end)
    "state table, the stream's own slots": (named(st, "ST_", exclude=("ST_USER",)), 0, st.ST_USER),
    "state table, capture callback": (named(st, "CAPTURE_"), st.ST_USER, st.STATE_TABLE_LEN),
    "state table, engine callback": (named(st, "E_"), st.ST_USER, st.STATE_TABLE_LEN),
    "state table, click injector": (named(st, "INJ_"), st.ST_USER, st.STATE_TABLE_LEN),
    "stats": ({**named(st, "S_", exclude=("S_HIST",)), **spread("S_HIST", st.S_HIST, st.HIST_BINS)},
              0, st.STATS_LEN),
    "timing record": (named(st, "T_"), 0, st.TIMING_LEN),
    "analyzer counters": (named(counters_layout, "", exclude=("N_COUNTERS",)), 0, counters_layout.N_COUNTERS),
    "engine params": (named(cl, "P_"), 0, cl.N_PARAMS),
    "engine reals": (named(cl, "R_"), 0, cl.N_REALS),
    "engine counters": (named(cl, "G_"), 0, cl.N_ENGINE),
    "engine stage": (named(cl, "X_"), 0, cl.N_STAGE),
    "feature record, header row": (named(cl, "REC_", exclude=("REC_RHYTHM0",)), 0, cl.RECORD_COLUMNS),
    "rhythm values": (named(rl, "RH_"), 0, rl.N_RHYTHM),
    "rhythm parameters": (named(rl, "RP_"), 0, rl.N_RP),
    "rhythm bin edges": (named(rl, "RE_"), 0, rl.RE_FB0 + 1),
    "rhythm state": ({**named(rl, "RS_", exclude=("RS_ENERGY0", "RS_NOVELTY0")),
                      **spread("RS_ENERGY0", rl.RS_ENERGY0, rl.N_ENERGY_HISTORY)}, 0, rl.RS_NOVELTY0),
    "ring header": ({**named(ring_layout, "H_", exclude=("H_SHAPE",)),
                     **spread("H_SHAPE", ring_layout.H_SHAPE, ring_layout.MAX_NDIM)}, 0, ring_layout.HEADER_LEN),
}


@pytest.mark.parametrize("table", TABLES)
def test_every_slot_is_unique_and_in_range(table):
    slots, begin, end = TABLES[table]
    assert slots, f"no constant found for the {table}: the prefix in this test is stale"
    assert layout_problems(slots, begin, end) == []


def test_the_check_catches_a_collision_and_an_index_out_of_range():
    assert layout_problems({"A": 0, "B": 1}, 0, 2) == []
    assert layout_problems({"A": 0, "B": 0}, 0, 2) == ["A and B share index 0"]
    assert layout_problems({"A": 2}, 0, 2) == ["A = 2 is outside [0, 2)"]
    assert layout_problems({"E_X": st.ST_TIMING}, st.ST_USER, st.STATE_TABLE_LEN)  # a user slot on the stream's


def test_the_callbacks_slots_come_after_the_streams_own():
    stream = named(st, "ST_", exclude=("ST_USER",))
    users = {**named(st, "CAPTURE_"), **named(st, "E_"), **named(st, "INJ_")}
    assert max(stream.values()) < st.ST_USER <= min(users.values())
    assert max(users.values()) < st.STATE_TABLE_LEN


def test_the_feature_record_has_a_header_row_then_one_row_per_track():
    for n_tracks in (1, 16):
        rows, columns = cl.feature_record_shape(n_tracks)
        track_rows = range(cl.TRACK_ROW0, cl.TRACK_ROW0 + n_tracks)
        assert 0 <= cl.HEADER_ROW < rows and cl.HEADER_ROW not in track_rows and track_rows[-1] == rows - 1
        assert columns == cl.RECORD_COLUMNS


def test_the_rhythm_columns_follow_the_features_in_a_track_row():
    from kernels.layout import N_FEATURES

    assert cl.REC_RHYTHM0 == N_FEATURES
    assert cl.REC_RHYTHM0 + rl.N_RHYTHM == cl.RECORD_COLUMNS
    assert len(rl.RHYTHM_NAMES) == rl.N_RHYTHM
    assert rl.RH_BASS + rl.N_BANDS3 - 1 == rl.RH_HIGH and rl.RH_MID == rl.RH_BASS + 1


def test_modes_are_distinct():
    modes = named(cl, "MODE_")
    assert len(set(modes.values())) == len(modes) >= 2


def test_ring_counters_sit_on_their_own_cache_lines_and_the_data_after_the_header():
    counters = ("H_WRITE", "H_READ", "H_DROPPED")  # each written by one side only: no false sharing
    fields = TABLES["ring header"][0]
    counter_lines = {fields[name] * 8 // ring_layout.CACHE_LINE_BYTES for name in counters}
    other_lines = {index * 8 // ring_layout.CACHE_LINE_BYTES for name, index in fields.items() if name not in counters}
    assert len(counter_lines) == len(counters) and not counter_lines & other_lines
    assert ring_layout.HEADER_LEN * 8 == ring_layout.HEADER_BYTES
    assert ring_layout.HEADER_BYTES % ring_layout.CACHE_LINE_BYTES == 0  # records start on a cache line
    ring = ring_layout.Ring.create(4, (3, 2), np.float32)
    assert ring.data.ctypes.data - ring.address == ring_layout.HEADER_BYTES  # the data offset, measured
    assert ring.header.size == ring_layout.HEADER_LEN


def test_portaudio_codes_are_portaudios_own():
    sd = pytest.importorskip("sounddevice")
    assert (pa.PA_CONTINUE, pa.PA_COMPLETE, pa.PA_ABORT) == (sd._lib.paContinue, sd._lib.paComplete,
                                                             sd._lib.paAbort)
    flags = {"PA_INPUT_UNDERFLOW": "paInputUnderflow", "PA_INPUT_OVERFLOW": "paInputOverflow",
             "PA_OUTPUT_UNDERFLOW": "paOutputUnderflow", "PA_OUTPUT_OVERFLOW": "paOutputOverflow",
             "PA_PRIMING_OUTPUT": "paPrimingOutput"}
    assert {ours: getattr(pa, ours) for ours in flags} == {ours: getattr(sd._lib, theirs)
                                                           for ours, theirs in flags.items()}
    xruns = [getattr(pa, name) for name in flags if "FLOW" in name]
    assert pa.PA_XRUN_MASK == np.bitwise_or.reduce(xruns) and not pa.PA_XRUN_MASK & pa.PA_PRIMING_OUTPUT


def test_the_tables_python_allocates_have_the_layouts_length_and_hold_the_slots_addresses():
    from mirage.audio.raw_stream import StateTable
    from mirage.engine.graph import EngineGraph

    table = StateTable()
    assert table.array.size == st.STATE_TABLE_LEN and table.array[st.ST_MAGIC] == st.STATE_MAGIC
    assert table.stats.size == st.STATS_LEN and table.timing.record_shape == (st.TIMING_LEN,)
    assert table.array[st.ST_STATS] == table.stats.ctypes.data and table.array[st.ST_TIMING] == table.timing.address
    with pytest.raises(Exception, match="state-table index"):
        table.set(st.ST_USER - 1, 0)

    graph = EngineGraph(n_tracks=3, sr_hz=48000, n_fft=1024, hop=256, pitch_ranges_hz=None, channel_map=[0, 1, 0],
                        playback=None, max_block=512)
    try:
        assert (graph.params.size, graph.reals.size, graph.engine.size) == (cl.N_PARAMS, cl.N_REALS, cl.N_ENGINE)
        assert graph.analyzer.counters.size == counters_layout.N_COUNTERS
        assert graph.feature_ring.record_shape == cl.feature_record_shape(3)
        slots = graph.table.array
        assert slots[st.E_PARAMS] == graph.params.ctypes.data and slots[st.E_ENGINE] == graph.engine.ctypes.data
        assert slots[st.E_COUNTERS] == graph.analyzer.counters.ctypes.data
        assert slots[st.E_FEATURE_RING] == graph.feature_ring.address and slots[st.E_MIX_RING] == 0
    finally:
        graph.close()


# --------------------------------------------------------------------------- no bare index left

SHARED_ARRAYS = {"table", "header", "stats", "counters", "params", "reals", "engine", "array", "record", "data"}
"""Names under which the callback's code and its Python side hold the shared arrays."""


def literal_indices(source: str) -> list[str]:
    """``name[<int literal>]`` (also within a tuple index) on a shared array, and ``address + <int>``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript):
            target = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", None)
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if target in SHARED_ARRAYS and any(isinstance(p, ast.Constant) and type(p.value) is int for p in parts):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
              and "address" in ast.unparse(node.left) and isinstance(node.right, ast.Constant)):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_a_bare_index():
    assert literal_indices("table.array[1]\nheader[26]\nx = address + 512\nrecord[0, k]\n") == [
        "line 1: table.array[1]", "line 2: header[26]", "line 3: address + 512", "line 4: record[0, k]"]
    assert literal_indices("table[ST_USER]\nheader[H_CAPACITY]\nrecord[HEADER_ROW, k]\nrows[1:]\n") == []


NOT_SHARED = {"message.params[0]"}
"""Expressions that match `literal_indices` but index no shared array (a python-osc message's arguments)."""


@pytest.mark.parametrize("package", ["mirage", "kernels"])
def test_no_bare_index_into_a_shared_array(package):
    found = {str(path.relative_to(ROOT)): hits for path in sorted((ROOT / package).rglob("*.py"))
             if (hits := [h for h in literal_indices(path.read_text()) if h.split(": ", 1)[1] not in NOT_SHARED])}
    assert found == {}
