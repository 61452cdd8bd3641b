"""Read compose files as compose does: interpolation, .env, include, extends, profiles."""
