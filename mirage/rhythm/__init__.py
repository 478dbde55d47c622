"""The rhythm layer: what a visual rig drives by first.

Per track, per hop (computed in the callback by kernels in ``kernels/``):
level, bass/mid/high bands and onsets.  For the mix, outside the callback:
tempo with a confidence, beat phase and a beat trigger scheduled at the
predicted beat time.  Each concept lives in its own module of this package.
"""
