"""Audio I/O: PortAudio streams with GIL-free numba callbacks, and a JACK test server."""
