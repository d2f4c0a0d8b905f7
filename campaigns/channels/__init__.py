"""Channel adapters (Twilio, Kannel) behind one small interface, `campaigns.channels.base`; leaves that import
nothing of ours beyond campaigns.common and campaigns.models."""
