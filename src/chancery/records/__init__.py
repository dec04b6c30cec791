"""Records (issue 11): telcons and memcons, read-outs, replies, search, archival export."""
