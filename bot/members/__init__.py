"""Members: who they are on each platform, their profile, roles and the audit log."""
