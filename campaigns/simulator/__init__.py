"""The offline stand-in for the phone network: the simulator channel (`channel`), simulated phones taking calls
(`calls`) and staff replying as a phone (`phones`). Unlike the provider adapters in campaigns.channels, it writes
the outcomes straight into our tables, through the same services as the providers' callbacks."""
