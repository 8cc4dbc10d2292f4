"""Citizen services beyond answers, in the chat: counter appointments and status lookup."""
