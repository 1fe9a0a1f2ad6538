"""The rules and operations of backorder, as plain functions the API, admin, webhooks and CLI share."""
