"""The API (Django REST Framework): API-key authentication, the error format, work orders in and out,
the caller's satisfaction. docs/api.md is the integrators' guide; /api/schema/ the OpenAPI 3 schema."""
