"""The business rules of records, one module per part (telcons, readouts, replies)."""
