"""Customers: proving a phone number (one-time codes) and the messages a customer receives."""
