"""Rasa custom actions of Trợ lý TTHC, served by the app process (see api.action_server)."""
