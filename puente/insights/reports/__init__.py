"""The periodic performance-indicator reports a national hotline files (monthly,
semi-annual, annual), generated for any period as XLSX and PDF in the hotline's language.

- `definitions`: which rows each report holds and which records each row counts, read
  from a data file (`indicators.json`, or the deployment's own), checked at start-up;
- `measures`: the kinds of record a row can count and the codes it may filter on;
- `periods`: reporting periods, the fiscal year, and the due-date rule;
- `figures`: the counts (one aggregate query per kind of record) and the list of records
  behind any one of them;
- `xlsx`, `pdf`: the two file writers;
- `domain` (writes: request, generate with progress, audited reads and downloads) and
  `queries` (reads for the pages).
"""
