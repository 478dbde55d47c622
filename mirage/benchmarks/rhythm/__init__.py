"""`mirage bench --rhythm`: onsets, beats and tempo against MIDI ground truth, next to the peers.

Pieces (`pieces`): hand-written MIDI for the hard cases and VGMIDI piano pieces, rendered
with fluidsynth and two General MIDI soundfonts (`render`); the truth (note-on times, the
tempo map's beats) comes from the MIDI file (`truth`). Every tracker runs on the same audio
in the same run (`trackers`), scored with mir_eval (`scoring`); `table` formats the result.
"""
