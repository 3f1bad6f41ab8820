"""The ``pixtask`` command line: parses options and delegates to the library."""
