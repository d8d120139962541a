"""Monthly reports (月报) of a station and of a district: printable pages and XLSX workbooks."""
