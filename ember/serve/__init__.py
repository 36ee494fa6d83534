"""``ember serve``: exported models over HTTP, speaking the KServe V2 (Open Inference) protocol.

Needs the optional serving stack: ``pip install 'ember[serve]'`` (Starlette, uvicorn,
prometheus-client). ``import ember`` never imports it; ``create_app`` says what to install when
it is missing.

    from ember.serve import create_app
    app = create_app("models/", max_batch_size=32, max_delay_ms=2)   # an ASGI app
"""

_NEEDED = (("starlette", "starlette"), ("uvicorn", "uvicorn"),
           ("prometheus_client", "prometheus-client"))


def require():
    """Raises ImportError naming what to install when the serving stack is missing."""
    import importlib
    missing = []
    for mod, pkg in _NEEDED:
        try:
            importlib.import_module(mod)
        except ImportError:
            missing.append(pkg)
    if missing:
        raise ImportError(f"ember serve needs {', '.join(missing)}: "
                          f"pip install 'ember[serve]'")


def create_app(model_path, **options):
    """The ASGI app serving an exported model file or a repository folder.

    See ``ember.serve.app.create_app`` for the options (max_batch_size, max_delay_ms,
    poll_interval, version_policy, model_control, max_request_bytes, request_timeout, loader).

    Example::

        import uvicorn
        from ember.serve import create_app
        uvicorn.run(create_app("model.pt2", name="mlp"), host="127.0.0.1", port=8000)
    """
    require()
    from .app import create_app as _create_app
    return _create_app(model_path, **options)


__all__ = ["create_app", "require"]
