"""Security plumbing of SWS: login lockout, password policy, session lifetime, two-factor login,
Cache-Control for personal data (sws/security/middleware.py), log masking, and the auditor's pages."""
