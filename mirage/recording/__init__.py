"""Recording and replaying MIRAGE's OSC stream (``--record FILE``, ``mirage replay FILE``).

One concept per module: `format` (the file: writer, reader, versioning, crash safety),
`recorder` (the live tee on the OSC sender), `offline_render` (a song rendered offline),
`datagrams` (time tags and bundles as bytes), `replayer` (the schedule and the send loop),
`summary` (``--info``).
"""
