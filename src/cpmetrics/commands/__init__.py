"""The commands, a module for each group: options and the one call into the library."""
