"""What the gateway's blueprints (gateway.api, gateway.console, gateway.webhooks, gateway.loudspeaker_feed) share,
and all they share besides the runtime (gateway/runtime.py): the request's session and after-commit hooks
(`session`), how domain errors map to HTTP statuses (`errors`), JSON bodies (`bodies`), jobs enqueued after the
commit (`jobs`), uploads (`uploads`) and the loudspeakers' feed cache and heartbeats (`feed_cache`,
`speaker_state`, `speaker_heartbeats`). An import-linter contract keeps the blueprints independent of each other."""
