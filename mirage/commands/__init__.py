"""The subcommands of ``mirage`` (`mirage.cli`), one module each: arguments and output only.

Each module has ``add_arguments(parser)`` (optional) and ``main(args) -> int`` and drives the
library (`mirage`'s public API and its modules); no command imports another.
"""
