"""The visual server's model and charts (the page itself is ``app.py``); the core never imports this."""
