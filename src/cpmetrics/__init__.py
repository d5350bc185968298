"""cpmetrics: child protection plan measures from case-level extracts.

The importable API lives in the submodules (``cpmetrics.api`` is the one-stop entry point);
this module stays tiny so that ``cpmetrics --help`` starts fast.
"""

__version__ = "0.1.0"
CONFIG_NAME = "cpmetrics.toml"  # the config file looked for in the working directory
