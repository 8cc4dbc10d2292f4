"""Messaging channels other than the web widget (each in its own package)."""
