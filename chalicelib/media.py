"""Media types more than one module names (the exports that write them, the routes that serve them)."""
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
