"""``--channels`` parsing (mirage.channels): lists and ranges, 1-based; every mistake named."""

import pytest

from mirage.channels import channel_columns, parse_channels
from mirage.errors import ParameterError


@pytest.mark.parametrize("spec, channels", [
    ("1", [1]),
    ("1,2,5", [1, 2, 5]),
    ("1-4,7", [1, 2, 3, 4, 7]),
    ("7,1-3", [7, 1, 2, 3]),  # track order is the order given
    (" 2 - 3 , 9 ", [2, 3, 9]),
    ("5-5", [5]),
])
def test_lists_and_ranges(spec, channels):
    assert parse_channels(spec) == channels


@pytest.mark.parametrize("spec, message", [
    ("1-4,3", "channel 3 is given twice"),
    ("2,2", "channel 2 is given twice"),
    ("4-1", "range 4-1 is reversed (write 1-4)"),
    ("0", "channels are numbered from 1, '0' has a 0"),
    ("0-3", "'0-3' has a 0"),
    ("1,x", "'x' is not a channel number or a range like 1-4"),
    ("1,,2", "'' is not a channel number"),
    ("-1", "'-1' is not a channel number"),
    ("1-2-3", "'1-2-3' is not a channel number"),
    ("1-99999999", "channel 99999999 is above 65536"),
])
def test_mistakes_are_named(spec, message):
    with pytest.raises(ParameterError) as error:
        parse_channels(spec)
    assert str(error.value).startswith(f"--channels {spec!r}: ")
    assert message in str(error.value)


def test_columns_for_a_device():
    assert channel_columns(None, 3) == [0, 1, 2]
    assert channel_columns("3,1-2", 4) == [2, 0, 1]
    with pytest.raises(ParameterError, match=r"the device has input channels 1\.\.4, not 5, 6"):
        channel_columns("1,5-6", 4)
