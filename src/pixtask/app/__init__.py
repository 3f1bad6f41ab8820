"""The web app (``pixtask app``): Gradio is an optional extra, imported only when the app starts."""
