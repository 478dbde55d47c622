"""What `mirage bench` measures, one concern per module.

``kernel_chunks`` (one hop of C tracks: MIRAGE's kernels and librosa, the offline throughput,
the emotion features and model), ``peers`` (one track's per-frame chain next to essentia's and
aubio's), ``realtime`` (the engine's callback on JACK), ``latency`` (sound → UDP of clicks),
``jitter`` (the callback's period), ``startup`` (a warm `mirage run` / `mirage analyze`), and
``report`` (the tables, the plot and the run's metadata). ``music_like_audio`` and
``latency_summary`` are shared by all of them. The command is `mirage.commands.bench`.
"""
