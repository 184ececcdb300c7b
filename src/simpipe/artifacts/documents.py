"""File names of the documents stages write: the comparison (stage `comparison`), the model card
(stage `card`, in models/<variant>/) and the report (stage `report`, in reports/<variant>/)."""

COMPARISON_FILE = "comparison.json"
CARD_FILE = "README.md"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
REPORT_PNG = "curve.png"
