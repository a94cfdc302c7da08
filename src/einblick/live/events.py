"""Broadcasting changed questions to everyone connected to the session (through the channel layer)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from . import groups, protocol

logger = logging.getLogger(__name__)


async def apublish(session_id: int, questions) -> bool:
    """Send each change to the session's group; False (logged) when the channel layer is unavailable — the change
    is stored anyway and clients fetch it when they reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return False
    group = groups.session_group(session_id)
    try:
        for question in questions:
            await layer.group_send(group, protocol.channel_message(question))
    except Exception:  # Redis down or similar
        logger.warning("live Q&A: could not broadcast to %s", group, exc_info=True)
        return False
    return True


def publish(session_id: int, questions) -> bool:
    questions = list(questions)
    if not questions:
        return True
    return async_to_sync(apublish)(session_id, questions)
