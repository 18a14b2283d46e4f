"""Placeholder: commands are added by the bundles work."""
