"""Which ICP a fit was judged against: a fingerprint of the ICP's content.

A fingerprint rather than the ICP setting's `updated_on`: saving the same ICP again (or a
file that differs only in comments, layout or defaults written out) keeps every fit
current, and putting an earlier ICP back makes the fits judged against it current again.
A timestamp would call all of them stale, and with a model each re-judge costs calls.
"""

from __future__ import annotations

import hashlib
import json

from core.icp_profile import IcpProfile

# The ICP's name is shown nowhere in a fit, so renaming it re-judges nothing.
_NOT_JUDGED_ON = {"name"}


def icp_fingerprint(profile: IcpProfile) -> str:
    """A short hash of the profile's canonical JSON (validated, defaults filled in)."""
    content = profile.model_dump(mode="json", exclude=_NOT_JUDGED_ON)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def fit_staleness(judged_against: str | None, in_force: str) -> str | None:
    """Why a stored fit no longer answers the ICP in force (its fingerprint), or None.
    A fit stored before fits recorded their ICP is taken as stale: re-judging it costs
    no web search, and nothing says it answers the ICP now in force."""
    if judged_against == in_force:
        return None
    if judged_against is None:
        return "judged against an unrecorded ICP"
    return "judged against an earlier ICP"
