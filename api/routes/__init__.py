"""HTTP routes, one module per resource; the app includes every router in ``ROUTERS``."""

from fastapi import APIRouter

from api.appointments import routes as api_appointments_routes
from api.auth import routes as api_auth_routes
from api.channels.zalo import routes as api_channels_zalo_routes
from api.routes import actions as api_routes_actions
from api.routes import admin_analytics as api_routes_admin_analytics
from api.routes import admin_catalog as api_routes_admin_catalog
from api.routes import admin_console as api_routes_admin_console
from api.routes import admin_faqs as api_routes_admin_faqs
from api.routes import admin_knowledge as api_routes_admin_knowledge
from api.routes import admin_plain_names as api_routes_admin_plain_names
from api.routes import admin_reviews as api_routes_admin_reviews
from api.routes import admin_users as api_routes_admin_users
from api.routes import chat as api_routes_chat
from api.routes import chat_updates as api_routes_chat_updates
from api.routes import checklist as api_routes_checklist
from api.routes import health as api_routes_health
from api.routes import pages as api_routes_pages
from api.routes import starters as api_routes_starters
from api.routes import support as api_routes_support

ROUTERS: list[APIRouter] = [
    api_routes_chat.router,
    api_routes_starters.router,
    api_routes_health.router,
    api_routes_actions.router,
    api_routes_pages.router,
    api_routes_checklist.router,
    api_channels_zalo_routes.router,
    api_auth_routes.router,
    api_routes_chat_updates.router,
    api_routes_support.router,
    api_routes_admin_faqs.router,
    api_routes_admin_knowledge.router,
    api_routes_admin_plain_names.router,
    api_routes_admin_reviews.router,
    api_routes_admin_catalog.router,
    api_routes_admin_analytics.router,
    api_routes_admin_users.router,
    api_routes_admin_console.router,
    api_appointments_routes.router,
]
