"""Local fake platform servers that speak the real HTTP APIs (tests and bench scripts import these)."""
