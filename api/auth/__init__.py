"""Staff accounts (admin, support): users, password hashing, sessions, bearer tokens, roles."""
