"""HTTP routes, one module per resource.

The app includes every module listed in ``ROUTER_MODULES``; each exposes ``router``.
"""

ROUTER_MODULES = [
    "api.routes.chat",
    "api.routes.starters",
    "api.routes.health",
    "api.routes.actions",
    "api.routes.pages",
    "api.routes.checklist",
    "api.channels.zalo.routes",
    "api.auth.routes",
    "api.routes.chat_updates",
    "api.routes.support",
    "api.routes.admin_faqs",
    "api.routes.admin_knowledge",
    "api.routes.admin_plain_names",
    "api.routes.admin_reviews",
    "api.routes.admin_catalog",
    "api.routes.admin_analytics",
    "api.routes.admin_users",
    "api.routes.admin_console",
    "api.appointments.routes",
]
