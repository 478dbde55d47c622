"""PortAudio's numeric codes a MIRAGE callback exchanges with PortAudio, defined once.

The values are PortAudio's own (``portaudio.h``), part of its ABI; a ``@cfunc`` reads them as
compile-time ints.

Callback result (``PaStreamCallbackResult``): what every callback returns, and what the clock
driver (`mirage.engine.clock_driver`), which calls the same ``@cfunc`` without PortAudio,
reads to know when to stop::

    PA_CONTINUE   0   call me again
    PA_COMPLETE   1   this block is the last: PortAudio plays it, then the stream stops
    PA_ABORT      2   stop at once (the block may not be played)

Status flags (``PaStreamCallbackFlags``, the ``statusFlags`` argument): bits PortAudio sets
for the block being delivered; `mirage.audio.raw_stream.callback_begin` counts each into
the stats (``S_*`` in `mirage.audio.state_layout`) and stores them in the timing record.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "PA_ABORT",
    "PA_COMPLETE",
    "PA_CONTINUE",
    "PA_INPUT_OVERFLOW",
    "PA_INPUT_UNDERFLOW",
    "PA_OUTPUT_OVERFLOW",
    "PA_OUTPUT_UNDERFLOW",
    "PA_PRIMING_OUTPUT",
    "PA_XRUN_MASK",
]

# PaStreamCallbackResult
PA_CONTINUE: Final = 0
PA_COMPLETE: Final = 1
PA_ABORT: Final = 2

# PaStreamCallbackFlags
PA_INPUT_UNDERFLOW: Final = 0x1
PA_INPUT_OVERFLOW: Final = 0x2
PA_OUTPUT_UNDERFLOW: Final = 0x4
PA_OUTPUT_OVERFLOW: Final = 0x8
PA_PRIMING_OUTPUT: Final = 0x10
PA_XRUN_MASK: Final = PA_INPUT_UNDERFLOW | PA_INPUT_OVERFLOW | PA_OUTPUT_UNDERFLOW | PA_OUTPUT_OVERFLOW
"""The flags that mean lost or invented samples (an xrun); priming is not one."""
