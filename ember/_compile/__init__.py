"""ember's compiler: tracer -> graph IR (ember.fx) -> passes -> generated NumPy code, guarded.

Entry points: ``torch.compile`` (api.compile), ``torch._dynamo`` (explain, reset, config),
``torch.compiler`` (reset, disable), ``ember run --compile`` (auto.enable_auto_compile).
See docs/compile.md.
"""
