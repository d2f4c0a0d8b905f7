"""Channel adapters (Twilio, simulator; Kannel later) behind one small interface, `campaigns.channels.base`."""
