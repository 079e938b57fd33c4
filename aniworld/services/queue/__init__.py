"""The download queue: use-cases that take a Session and never commit (the caller does)."""

from aniworld.services.queue._common import POSITION_STEP, get_item
from aniworld.services.queue.adding import (
    BulkResult,
    add_item,
    add_many,
    retry_failed,
    retry_item,
)
from aniworld.services.queue.languages import (
    LanguagePlan,
    Offers,
    catalog_offers,
    choose_language,
    plan_languages,
)
from aniworld.services.queue.ordering import move_item, set_priority
from aniworld.services.queue.state import (
    PAUSED_KEY,
    cancel_item,
    clear_completed,
    is_paused,
    pause_item,
    pause_queue,
    remove_item,
    resume_item,
    resume_queue,
)
from aniworld.services.queue.views import (
    PendingItem,
    QueueView,
    list_queue,
    pending_items,
    queue_version,
)

__all__ = [
    "PAUSED_KEY", "POSITION_STEP", "BulkResult", "LanguagePlan", "Offers", "PendingItem",
    "QueueView", "add_item", "add_many", "catalog_offers", "choose_language", "plan_languages",
    "cancel_item", "pause_item", "resume_item",
    "clear_completed", "get_item", "is_paused", "list_queue", "move_item", "pause_queue",
    "pending_items", "queue_version", "remove_item", "resume_queue", "retry_failed",
    "retry_item",
    "set_priority",
]
