"""admin-service: courses, created by admins."""
