// The idle-timeout warning and kept typing (see accounts). Filled in by issue 12.
