"""The ``docpipe`` command line: the roof, above the flows."""
