"""The Flask gateway: JSON API, webhooks, downloads and the `gridcast` command."""
