"""The REST API of the programmes app, and what every app's API shares (docs/api.md)."""
