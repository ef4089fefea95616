"""The one answer to a failure nobody foresaw: logged with its traceback under a short error id, and a polite
sentence carrying that id for the member (so a report from them finds the log line)."""

from __future__ import annotations

import logging
import uuid


def unexpected_failure(log: logging.Logger, doing: str, *args: object) -> str:
    """Log the exception being handled as "error <id> while <doing>"; returns what the member is told.
    Call it from an `except` block."""
    error_id = uuid.uuid4().hex[:8]
    log.exception("error %s while " + doing, error_id, *args)
    return f"Something went wrong on my side (error id {error_id}). Please try again later."
