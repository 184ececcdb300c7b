"""Data sets: raw readers (`readers`: one module per source) and the prepared split format (`prepared`)."""
