"""Channel-layer group names of the live app — the only place they are spelled out.

Group names may hold ASCII letters, digits, hyphens, underscores and periods (fewer than 100 characters).
"""

PREFIX = "live"


def session_group(session_id: int) -> str:
    """Everyone connected to one session's Q&A: viewers, askers and moderators (each consumer filters)."""
    return f"{PREFIX}.session.{int(session_id)}"
