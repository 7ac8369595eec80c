"""Slates: the movement's lists of endorsed candidates for an external contest, filled by
selection ballots (issue 16; docs/slates.md)."""
