"""The published labelled datasets the product is trained and measured on (one registry)."""
