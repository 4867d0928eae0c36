"""The live preview: rebuild loop, responder, server and file watcher."""
