"""Support desk: inbox of handed-off conversations, staff replies, suggestions, proposals."""
