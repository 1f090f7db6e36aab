"""teacher-service: assignments in courses that admin-service knows."""
