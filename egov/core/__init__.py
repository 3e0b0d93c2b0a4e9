"""Shared kernel: clock, working-day calendar, audit log, and the pieces every app builds on."""
