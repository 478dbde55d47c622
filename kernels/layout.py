"""Layout of one track's feature vector, shared by kernels, CSV, OSC and tests.

Per track and per hop the kernels write 8 float32 values, in this order (the order of
MIRAGE's `/Lfmsg_ch{n}` message)::

    0 centroid_hz   1 bandwidth_hz   2 flatness   3 rolloff_hz
    4 pitch1_hz     5 pitch2_hz      6 pitch3_hz  7 pitch4_hz   (0.0 = no pitch)

A block of hops is a float32 array ``features[n_hops, n_tracks, N_FEATURES]``.
"""

CENTROID = 0
BANDWIDTH = 1
FLATNESS = 2
ROLLOFF = 3
PITCH1 = 4
N_PITCHES = 4
N_FEATURES = 8

FEATURE_NAMES = (
    "centroid_hz",
    "bandwidth_hz",
    "flatness",
    "rolloff_hz",
    "pitch1_hz",
    "pitch2_hz",
    "pitch3_hz",
    "pitch4_hz",
)
