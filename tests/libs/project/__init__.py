"""A minimal Django project whose views use the shared library's pieces."""
