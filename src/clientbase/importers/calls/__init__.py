"""Phone call logs: one module per format, detection, and the shared record shape."""

from clientbase.importers.calls.table import (  # noqa: F401
    CSV_FIELDS,
    FORMATS,
    OUTCOMES,
    CallLogError,
    CallRecord,
    detect_call_log,
    read_call_log,
)
