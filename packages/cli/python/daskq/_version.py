"""The package version (the npm packages' version) and the control protocol it speaks."""

__version__ = "0.1.0"

#: The version of ``daskq control --stdio``'s protocol this package speaks.
PROTOCOL_VERSION = 1
