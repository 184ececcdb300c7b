"""Core: composing `conf/` and selecting a variant (`config`), the typed-section machinery every config
section is built on (`sections`), where artifacts live (`paths`), atomic writes (`io`), one-line user
errors (`errors`), library versions (`versions`) and hub ids (`hub`).

Imports nothing else of simpipe. Infrastructure: never a DVC dependency, so nothing here may shape an output.
"""
