"""Test helpers that are not fixtures: configs shrunk in one place (`config`), small data sets in the real
formats (`datasets`), local servers (`servers`), subprocess runs of simpipe and dvc (`processes`)."""
