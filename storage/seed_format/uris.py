"""Contribution URIs: which of the three recognised forms a URI is, and the numeric id it carries."""

from __future__ import annotations

import datetime as dt
import re

_PIMS_URI_RE = re.compile(r"http://data\.parliament\.uk/pimsdata/hansard/CONTRIBUTION_(\d{1,18})")
_INTRANET_URI_RE = re.compile(
    r"http://hansard\.intranet\.data\.parliament\.uk/(?:Commons|Lords)/(\d{4})-(\d{2})-(\d{2})/(\d{14,15})"
)
# Business questions live under "Hansard" with a capital H.
_QUESTION_URI_RE = re.compile(
    r"http://data\.parliament\.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_(\d{1,18})/-question"
)


def contribution_id_from_uri(uri: str) -> int | None:
    """The numeric id in a recognised URI, or None when the URI is not one of the three forms."""
    match = _PIMS_URI_RE.fullmatch(uri) or _QUESTION_URI_RE.fullmatch(uri)
    if match is not None:
        return int(match[1])
    match = _INTRANET_URI_RE.fullmatch(uri)
    if match is not None:
        try:
            dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return int(match[4])
    return None
