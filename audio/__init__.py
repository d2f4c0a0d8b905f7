"""Speech synthesis, uploaded recordings, MP3 encoding and the content-addressed audio store."""
