"""HTCDS exchange files: the field map (fields.py), reading a cell (values.py), writing
CSV, XLSX and JSON (writing.py, xlsx.py), opening a file (reading.py), the dry run
(planning.py) and the rules of export, import and undo (domain.py)."""
