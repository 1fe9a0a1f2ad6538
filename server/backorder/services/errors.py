"""Named domain errors. Services raise them; errors.py turns them into HTTP answers."""


class DomainError(Exception):
    """A rule refused an operation. `code` is stable and machine-readable."""

    code = "domain_error"

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class UnknownStore(NotFound):
    code = "unknown_store"


class UnknownProduct(NotFound):
    code = "unknown_product"


class UnknownShipment(NotFound):
    code = "unknown_shipment"


class UnknownCampaign(NotFound):
    code = "unknown_campaign"


class UnknownMessage(NotFound):
    code = "unknown_message"


class UnknownSubscription(NotFound):
    code = "unknown_subscription"


class UnknownImport(NotFound):
    code = "unknown_import"


class InvalidLink(NotFound):
    """A link from an email that is forged, used up, expired or names erased data."""

    code = "invalid_link"


class NotSellable(Conflict):
    """Restock emails were asked for a product shoppers cannot buy right now."""

    code = "not_sellable"


class BackorderLimitReached(Conflict):
    code = "backorder_limit_reached"


class NotBackorderable(Conflict):
    code = "not_backorderable"


class ShipmentNotPlanned(Conflict):
    code = "shipment_not_planned"


class PlatformIdTaken(Conflict):
    """Another product of the store already carries this platform id."""

    code = "platform_id_taken"


class OrderRefConflict(Conflict):
    code = "order_ref_conflict"


class TooManyUnits(Conflict):
    """A running total (stock, backordered units) would pass what a unit column holds."""

    code = "out_of_range"


class Unauthenticated(DomainError):
    """The caller could not prove who it is (a webhook's signature or secret did not match)."""

    code = "unauthorized"


class BadPayload(DomainError):
    """A body that cannot be what it claims to be (a webhook payload without its fields)."""

    code = "bad_payload"


class InvalidSignature(Unauthenticated):
    code = "invalid_signature"


class UnknownPlatform(NotFound):
    code = "unknown_platform"


class PlatformNotConfigured(Conflict):
    """A platform operation needs credentials, a shop or a secret that are not set (or not readable)."""

    code = "platform_not_configured"


class PlatformRefused(Conflict):
    """The platform's API answered with an error that retrying will not cure (401, 403, 404, 422…)."""

    code = "platform_refused"


class BadGateway(DomainError):
    """Another service we depend on failed (a platform's API)."""

    code = "bad_gateway"


class PlatformUnavailable(BadGateway):
    """The platform's API did not answer successfully after every retry (timeouts, 5xx, 429)."""

    code = "platform_unavailable"


class Unavailable(DomainError):
    """This process cannot serve for now (the database lacks a migration): 503, retry later."""

    code = "unavailable"
