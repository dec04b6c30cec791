"""Full-text search over messages, translations, telcons, read-outs and replies (being written)."""
