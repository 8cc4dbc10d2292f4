"""HTTP routes, one module per resource.

The app includes every module listed in ``ROUTER_MODULES``; each exposes ``router``.
"""

ROUTER_MODULES = [
    "api.routes.chat",
    "api.routes.health",
    "api.routes.actions",
    "api.routes.pages",
    "api.channels.zalo.routes",
]
