"""Admin services: analytics, catalog re-import, request bodies of the admin API."""
