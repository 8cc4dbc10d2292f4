"""The app: FastAPI API, channels, consoles and the Rasa action endpoint."""
