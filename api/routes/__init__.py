"""HTTP routes, one module per resource; the app includes every module listed here (each exposes ``router``)."""

ROUTER_MODULES = [
    "api.routes.pages",
]
