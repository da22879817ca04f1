"""Check-in: the customer's side of a result (codes, the branch QR, one-time codes)."""
