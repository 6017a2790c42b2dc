"""Keeps SearchEntry in step with contacts and cases (the search helper implements)."""


def reindex_case(case_id: int) -> None:
    return None  # implemented by the search work


def reindex_contact(contact_id: int) -> None:
    return None  # implemented by the search work
