"""Audio: speech synthesis engines, uploaded recordings, MP3 encoding and the content-addressed store.

Imports nothing of ours; `workers/` and `gateway/` combine it with the domain through the port in
`campaigns/voice/audio_port.py`.
"""
