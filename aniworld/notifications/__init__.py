"""Notifications through Apprise, without Flask or a database: the texts and the sending."""

from aniworld.notifications.messages import Episode, Message
from aniworld.notifications.sender import Delivery, Failure, send

__all__ = ["Delivery", "Episode", "Failure", "Message", "send"]
