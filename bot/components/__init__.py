"""Custom Rasa components of the project (loaded by Rasa from ``config.yml``)."""

from components.action_http import install as _install_action_http
from components.graph_runner import install as _install_graph_runner
from components.memory import install as _install_memory
from components.schema_cache import install as _install_schema_cache

_install_schema_cache()
_install_action_http()
_install_graph_runner()
_install_memory()
