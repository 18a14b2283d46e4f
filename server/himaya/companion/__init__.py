"""The companion: the local Flask service, its guard, store, outbox and settings."""
