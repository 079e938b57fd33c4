"""The download queue: use-cases that take a Session and never commit (the caller does)."""

from aniworld.services.queue._common import POSITION_STEP, get_item
from aniworld.services.queue.adding import (
    BulkResult,
    add_item,
    add_many,
    retry_failed,
    retry_item,
)
from aniworld.services.queue.group_actions import (
    MOVE_TARGETS,
    move_group,
    pause_group,
    remove_group,
    resume_group,
    set_group_priority,
)
from aniworld.services.queue.groups import (
    GroupItems,
    GroupPage,
    PendingGroup,
    PendingSummary,
    group_items,
    open_groups,
    pending_groups,
    pending_summary,
    queued_items,
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
    ItemProgress,
    PendingItem,
    QueueView,
    active_progress,
    finished_items,
    history_counts,
    list_queue,
    pending_items,
    progress_version,
    queue_version,
    waiting_version,
)

__all__ = [
    "MOVE_TARGETS", "PAUSED_KEY", "POSITION_STEP", "BulkResult", "GroupItems", "GroupPage",
    "ItemProgress", "LanguagePlan", "Offers", "PendingGroup", "PendingItem", "PendingSummary",
    "QueueView", "active_progress", "add_item", "add_many", "catalog_offers", "choose_language",
    "plan_languages", "cancel_item", "pause_item", "resume_item",
    "clear_completed", "finished_items", "get_item", "group_items", "history_counts",
    "is_paused", "list_queue",
    "move_group", "move_item", "open_groups", "pause_group", "pause_queue", "pending_groups",
    "pending_items", "pending_summary", "progress_version", "queue_version", "queued_items",
    "remove_group", "remove_item", "resume_group", "resume_queue", "retry_failed",
    "retry_item", "set_group_priority", "set_priority", "waiting_version",
]
