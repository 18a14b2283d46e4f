"""Placeholder: commands are added by the service work."""
