"""The Processing example cannot run here (no Processing): only check that the sketch handles
every address MIRAGE sends, with the argument counts of both profiles, and uses oscP5."""

from pathlib import Path

SKETCH = Path(__file__).resolve().parents[1] / "examples" / "processing" / "mirage_receiver" / "mirage_receiver.pde"


def test_sketch_handles_every_address():
    code = SKETCH.read_text()
    assert "import oscP5.*;" in code and "void oscEvent(OscMessage m)" in code
    for address in ('"/Lfmsg_ch"', '"/LFmsg_ch"', '"/Hfmsg_ch0"', '"/HFmsg_ch0"', '"/mirage/status"'):
        assert address in code, address
    assert "new OscP5(this, PORT)" in code and "final int PORT = 12345;" in code
    assert code.count("{") == code.count("}") and code.count("(") == code.count(")")
