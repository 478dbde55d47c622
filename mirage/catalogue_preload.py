"""Imported once by the local pool's fork server (`mirage.catalogue_runner`): what every task needs.

Importing this module imports the task's modules and loads the analysis kernels from numba's
cache (a one-track analyzer's ``warm_up``), so that each worker process, forked from the
server, starts ready instead of spending a second or two on imports and kernel loading. It
starts no thread (the fork server must stay single-threaded to fork safely): the emotion
model, whose runtime starts thread pools, is not loaded here.
"""

from kernels.analyzer import TrackAnalyzer
from mirage import catalogue, feature_analysis, feature_writers  # noqa: F401  (the task's modules)

feature_writers.import_pyarrow()
TrackAnalyzer(1, 44100.0).warm_up()
