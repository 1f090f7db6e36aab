"""Courses: what admins create and teachers build assignments in."""
