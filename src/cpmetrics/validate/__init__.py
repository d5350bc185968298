"""Validation of plan records: rules, findings and the run that applies them."""

from cpmetrics.validate.report import FINDING_COLUMNS, ValidationReport
from cpmetrics.validate.rules import RULES, Rule
from cpmetrics.validate.run import Validated, validate_extract, validate_extracts

__all__ = [
    "FINDING_COLUMNS",
    "RULES",
    "Rule",
    "Validated",
    "ValidationReport",
    "validate_extract",
    "validate_extracts",
]
