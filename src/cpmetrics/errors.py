"""Exceptions with wording meant for the user, and the exit codes they map to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DATA = 1  # the data has a problem (unreadable content, findings under --strict)
    USAGE = 2  # bad arguments, bad config, an input that cannot be opened
    INTERNAL = 3  # a bug in cpmetrics


class CpmetricsError(Exception):
    """Base class: the message is shown to the user as it is."""

    exit_code: ExitCode = ExitCode.DATA


class UsageError(CpmetricsError):
    exit_code = ExitCode.USAGE


class ConfigError(CpmetricsError):
    exit_code = ExitCode.USAGE


class InputError(CpmetricsError):
    """The input file could not be opened at all (missing, a directory, unreadable)."""

    exit_code = ExitCode.USAGE


class DataError(CpmetricsError):
    """The input was read but its content cannot be used (no header, a required column missing)."""

    exit_code = ExitCode.DATA
