// A scan thread that dies on start: the caller must fall back to the main thread.
throw new Error('scan thread test: crash on start');
