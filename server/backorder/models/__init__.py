"""Tables only: what is stored. The rules live in services/. One module per noun."""

from .catalog import MODES, SHIPMENT_STATUSES, Product, Shipment
from .common import MAX_UNITS, utcnow
from .imports import IMPORT_KIND, IMPORT_STATUSES, TASK_KINDS, ImportJob
from .limits import RateLimitBucket
from .notifications import (
    CAMPAIGN_STATUSES, MESSAGE_KINDS, MESSAGE_STATUSES, SUBSCRIPTION_STATUSES, Campaign, Message, Subscription,
    Suppression,
)
from .orders import BACKORDER_STATUSES, Backorder, Order, OrderLine
from .platforms import PLATFORMS, TASK_KIND, PlatformConnection, PlatformItem, WebhookDelivery
from .reports import CONVERSION_VIA, Conversion, ProductViewDay
from .store import Store
from .users import Membership, User

__all__ = [
    "BACKORDER_STATUSES", "CAMPAIGN_STATUSES", "IMPORT_KIND", "IMPORT_STATUSES", "TASK_KINDS", "ImportJob", "CONVERSION_VIA", "Conversion", "ProductViewDay", "MAX_UNITS", "MESSAGE_KINDS", "MESSAGE_STATUSES", "MODES",
    "SHIPMENT_STATUSES", "SUBSCRIPTION_STATUSES", "TASK_KIND", "Backorder", "Campaign", "Membership", "Message", "Order", "OrderLine",
    "PLATFORMS", "PlatformConnection", "PlatformItem", "Product", "RateLimitBucket", "Shipment", "Store", "Subscription", "Suppression", "User", "WebhookDelivery", "utcnow",
]
